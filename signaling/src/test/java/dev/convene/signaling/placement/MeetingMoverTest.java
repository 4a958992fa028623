package dev.convene.signaling.placement;

import static org.assertj.core.api.Assertions.assertThat;

import dev.convene.signaling.testing.MutableClock;
import dev.convene.store.SfuNodeInfo;
import dev.convene.store.memory.InMemoryMeetingPlacement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** ADR 0019: the meeting of a dead SFU lands on exactly one new node, however many signaling nodes move it at once. */
class MeetingMoverTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-03T14:00:00Z"));
    private final InMemoryMeetingPlacement placements = new InMemoryMeetingPlacement(clock, Duration.ofHours(2));
    private final MeetingMover mover = new MeetingMover(placements);

    private SfuNodeInfo node(String id, int participants) {
        return new SfuNodeInfo(id, "ws://127.0.0.1:1/" + id, "127.0.0.1:50000", "eu", participants, 0, 0.1, false,
                clock.instant());
    }

    @Test
    void twoSignalingNodesMovingAtTheSameMomentAgreeOnTheOneWinnersPick() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 200; round++) {
                UUID meeting = UUID.randomUUID();
                placements.assignIfAbsent(meeting, "sfu-a");
                // Each signaling node sees the fleet's load differently, so each would pick another node.
                List<List<SfuNodeInfo>> views = List.of(
                        List.of(node("sfu-a", 0), node("sfu-b", 1), node("sfu-c", 9)),
                        List.of(node("sfu-a", 0), node("sfu-b", 9), node("sfu-c", 1)));
                CyclicBarrier together = new CyclicBarrier(2);
                List<Future<Optional<String>>> moves = new ArrayList<>();
                for (List<SfuNodeInfo> view : views) {
                    moves.add(pool.submit(() -> {
                        together.await(5, TimeUnit.SECONDS);
                        return mover.move(meeting, "sfu-a", view, Optional.of("eu"));
                    }));
                }
                String first = moves.get(0).get(5, TimeUnit.SECONDS).orElseThrow();
                String second = moves.get(1).get(5, TimeUnit.SECONDS).orElseThrow();
                assertThat(first).as("round %d", round).isEqualTo(second).isIn("sfu-b", "sfu-c");
                assertThat(placements.sfuFor(meeting)).contains(first);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aLateMoverFollowsTheMoveAlreadyMade() {
        UUID meeting = UUID.randomUUID();
        placements.assignIfAbsent(meeting, "sfu-a");
        assertThat(mover.move(meeting, "sfu-a", List.of(node("sfu-b", 5), node("sfu-c", 0)), Optional.empty()))
                .contains("sfu-c");
        // Another signaling node, which sees sfu-b as the least loaded, comes second.
        assertThat(mover.move(meeting, "sfu-a", List.of(node("sfu-b", 0), node("sfu-c", 5)), Optional.empty()))
                .contains("sfu-c");
        assertThat(placements.sfuFor(meeting)).contains("sfu-c");
    }

    @Test
    void aMeetingWhosePlacementWasLostIsPlacedOnceAndTheDeadNodeIsNeverPicked() {
        UUID meeting = UUID.randomUUID();
        assertThat(mover.move(meeting, "sfu-a", List.of(node("sfu-a", 0), node("sfu-b", 7)), Optional.empty()))
                .contains("sfu-b");
        assertThat(mover.move(meeting, "sfu-a", List.of(node("sfu-c", 0)), Optional.empty())).contains("sfu-b");
    }

    @Test
    void withNoHealthyNodeTheMeetingStaysWhereItWas() {
        UUID meeting = UUID.randomUUID();
        placements.assignIfAbsent(meeting, "sfu-a");
        assertThat(mover.move(meeting, "sfu-a", List.of(node("sfu-a", 0)), Optional.empty())).isEmpty();
        assertThat(placements.sfuFor(meeting)).contains("sfu-a");
    }
}
