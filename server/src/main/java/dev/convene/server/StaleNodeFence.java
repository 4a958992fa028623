package dev.convene.server;

import dev.convene.store.MeetingPlacement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.ToIntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How an SFU node learns it was replaced while it could not speak (ADR 0030): stopped
 * (SIGSTOP, a long pause) or cut off from Redis for longer than the registry's "dead after",
 * signaling nodes may have found it dead and moved its meetings. For {@link #WINDOW} after such
 * a silence every heartbeat first reads the placement of each hosted meeting; a meeting now
 * placed on another node is not this node's any more. It is left out of the heartbeat (so no
 * join follows it back here and it is never written back), and its detached sessions end, on
 * this beat and on every later one while the node still hosts some of it: the control
 * connections that signaling closed meanwhile are seen closed, and their sessions detached,
 * only some time after the process runs again.
 *
 * <p>Outside the window nothing is read: a node that heartbeats on time was never replaced.
 *
 * <p>Heartbeat thread only. Times are {@link System#nanoTime()} values, which keep counting
 * while the process is stopped.
 */
final class StaleNodeFence {

    private static final Logger log = LoggerFactory.getLogger(StaleNodeFence.class);

    /** How long after a silence each heartbeat reads its meetings' placement. */
    static final Duration WINDOW = Duration.ofSeconds(5);

    private final String nodeId;
    private final long silentAfterNanos;
    private long lastBeat;
    private long checkUntil;
    /** Meetings found placed elsewhere that this node still hosts some sessions of. */
    private final Set<String> movedAway = new HashSet<>();

    StaleNodeFence(String nodeId, Duration deadAfter, long now) {
        this.nodeId = nodeId;
        this.silentAfterNanos = deadAfter.toNanos();
        this.lastBeat = now;
        this.checkUntil = now;
    }

    /**
     * Before a heartbeat at {@code now}: fences what was moved away and returns the meetings the
     * heartbeat may report.
     *
     * @param endDetached ends the detached sessions of a meeting, returns how many
     * @throws dev.convene.store.StoreUnavailableException if the placement cannot be read (the
     *     heartbeat would fail too; the next one tries again)
     */
    List<String> beforeHeartbeat(long now, List<String> hosted, MeetingPlacement placement,
            ToIntFunction<String> endDetached) {
        if (now - lastBeat > silentAfterNanos) {
            checkUntil = now + WINDOW.toNanos();
        }
        movedAway.retainAll(hosted);
        if (now - checkUntil < 0) {
            movedAway.addAll(placedElsewhere(placement, hosted));
        } else if (movedAway.isEmpty()) {
            return hosted;
        }
        if (movedAway.isEmpty()) {
            return hosted;
        }
        int ended = 0;
        for (String meeting : movedAway) {
            ended += endDetached.applyAsInt(meeting);
        }
        if (ended > 0) {
            log.warn("event=sfu_fenced node={} meetings_moved_away={} sessions_ended={} "
                    + "note=\"placed on another node while this one was silent\"", nodeId, movedAway.size(), ended);
        }
        List<String> kept = new ArrayList<>(hosted);
        kept.removeAll(movedAway);
        return kept;
    }

    /** A heartbeat reached the registry at {@code now}. */
    void beat(long now) {
        lastBeat = now;
    }

    /** The meetings among {@code hosted} that the placement gives to another node. */
    List<String> placedElsewhere(MeetingPlacement placement, List<String> hosted) {
        List<String> moved = new ArrayList<>();
        for (String meeting : hosted) {
            UUID id;
            try {
                id = UUID.fromString(meeting);
            } catch (IllegalArgumentException e) {
                continue; // Not a Convene meeting id (a test's room): never placed.
            }
            Optional<String> at = placement.sfuFor(id);
            if (at.isPresent() && !at.get().equals(nodeId)) {
                moved.add(meeting);
            }
        }
        return moved;
    }
}
