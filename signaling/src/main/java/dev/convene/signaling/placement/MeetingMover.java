package dev.convene.signaling.placement;

import dev.convene.store.MeetingPlacement;
import dev.convene.store.SfuNodeInfo;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves a meeting off a dead SFU (ADR 0019). Every signaling node with participants of the
 * meeting notices the death on its own and calls this at about the same time; the placement's
 * compare-and-set lets exactly one of them pick the new node, and the others follow its pick,
 * so the meeting lands on one SFU whatever the race.
 */
public final class MeetingMover {

    private static final Logger log = LoggerFactory.getLogger(MeetingMover.class);

    private final MeetingPlacement placements;

    public MeetingMover(MeetingPlacement placements) {
        this.placements = placements;
    }

    /**
     * @param candidates healthy nodes that may take the meeting (the dead one and suspects left out)
     * @param region     the dead node's region, preferred for the new node
     * @return the node the meeting is on afterwards, or empty if it is nowhere healthy to go
     */
    public Optional<String> move(UUID meetingId, String deadNode, List<SfuNodeInfo> candidates, Optional<String> region) {
        List<SfuNodeInfo> usable = candidates.stream().filter(n -> !n.nodeId().equals(deadNode)).toList();
        Optional<String> current = placements.sfuFor(meetingId);
        if (current.isPresent() && !current.get().equals(deadNode)) {
            log.info("event=meeting_move_followed meeting_id={} dead={} sfu_node_id={}", meetingId, deadNode, current.get());
            return current;
        }
        Optional<SfuNodeInfo> best = RegistrySfuDirectory.choose(usable, region);
        if (best.isEmpty()) {
            log.warn("event=meeting_move_failed meeting_id={} dead={} reason=no_healthy_node", meetingId, deadNode);
            return Optional.empty();
        }
        String pick = best.get().nodeId();
        String winner;
        boolean won;
        if (current.isEmpty()) {
            // The key is gone (expired, or Redis lost it): the first to place it again wins.
            winner = placements.assignIfAbsent(meetingId, pick);
            won = winner.equals(pick);
        } else if (placements.compareAndSet(meetingId, deadNode, pick)) {
            winner = pick;
            won = true;
        } else {
            winner = placements.sfuFor(meetingId).orElse(pick);
            won = false;
        }
        log.info("event={} meeting_id={} dead={} sfu_node_id={}", won ? "meeting_moved" : "meeting_move_followed",
                meetingId, deadNode, winner);
        return Optional.of(winner);
    }
}
