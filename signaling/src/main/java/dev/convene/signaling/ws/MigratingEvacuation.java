package dev.convene.signaling.ws;

import dev.convene.signaling.placement.MeetingEvacuation;
import dev.convene.signaling.placement.SfuDirectory;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves a meeting off a draining SFU with the failover's tools (ADR 0019, 0020): the placement is
 * moved by compare-and-set ({@link SfuDirectory#moveFrom}; a draining node is never picked, and
 * every signaling node follows the one winner), then each participant this node holds a socket of
 * there gets a session on the new node and {@code migrate}, and its old session is closed, so the
 * draining node empties and stops. The node's timer asks again about every second while a socket
 * here is still on the draining node; a meeting whose move is under way is skipped, one that has
 * moved is no longer asked about.
 */
final class MigratingEvacuation implements MeetingEvacuation {

    private static final Logger log = LoggerFactory.getLogger(MigratingEvacuation.class);

    private record Move(UUID meetingId, String node) {}

    private final SfuDirectory sfus;
    private final Supplier<? extends Iterable<SignalConnection>> connections;
    private final Set<Move> inFlight = ConcurrentHashMap.newKeySet();

    MigratingEvacuation(SfuDirectory sfus, Supplier<? extends Iterable<SignalConnection>> connections) {
        this.sfus = sfus;
        this.connections = connections;
    }

    @Override
    public void evacuate(UUID meetingId, String drainingNode) {
        Move move = new Move(meetingId, drainingNode);
        if (!inFlight.add(move)) {
            return;
        }
        // The timer thread only starts it: placement and joins are control round trips.
        Thread.ofVirtual().name("convene-evacuate-" + meetingId).start(() -> {
            try {
                run(move);
            } finally {
                inFlight.remove(move);
            }
        });
    }

    private void run(Move move) {
        long started = System.nanoTime();
        Optional<String> target;
        try {
            target = sfus.moveFrom(move.meetingId(), move.node());
        } catch (RuntimeException e) {
            log.warn("event=evacuation_failed meeting_id={} sfu_node_id={} error={}", move.meetingId(), move.node(),
                    e.toString());
            return;
        }
        if (target.isEmpty()) {
            // Nowhere to go: the meeting stays until the next round finds a node, or the drain timeout.
            log.warn("event=evacuation_deferred meeting_id={} sfu_node_id={} reason=no_open_node", move.meetingId(),
                    move.node());
            return;
        }
        String to = target.get();
        List<Thread> migrations = new ArrayList<>();
        for (SignalConnection c : connections.get()) {
            if (c.isJoined() && move.meetingId().equals(c.meetingId()) && move.node().equals(c.sfuNodeId())) {
                // Each on its own thread: one participant's slow join does not hold up the rest.
                migrations.add(Thread.ofVirtual().name("convene-migrate-" + c.connectionId())
                        .start(() -> c.migrate(move.node(), to, true)));
            }
        }
        for (Thread t : migrations) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        log.info("event=meeting_evacuated meeting_id={} from={} sfu_node_id={} participants={} took_ms={}", move.meetingId(),
                move.node(), to, migrations.size(), (System.nanoTime() - started) / 1_000_000);
    }
}
