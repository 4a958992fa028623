package dev.convene.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.convene.store.MeetingPlacement;
import dev.convene.store.memory.InMemoryMeetingPlacement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The fence on hand-fed nanoTime values over an in-memory placement (ADR 0030). */
class StaleNodeFenceTest {

    private static final long MS = 1_000_000L;
    private final StaleNodeFence fence = new StaleNodeFence("sfu-1", Duration.ofSeconds(1), 0);
    private final UUID moved = UUID.randomUUID();
    private final UUID ours = UUID.randomUUID();
    private final List<String> hosted = List.of(moved.toString(), ours.toString(), "a-test-room");
    private final List<String> ended = new ArrayList<>();
    /** Counts reads, so a test can say the placement was not asked. */
    private int reads;
    private final InMemoryMeetingPlacement inner = new InMemoryMeetingPlacement();
    private final MeetingPlacement placement = new MeetingPlacement() {
        @Override
        public java.util.Optional<String> sfuFor(UUID meetingId) {
            reads++;
            return inner.sfuFor(meetingId);
        }

        @Override
        public String assignIfAbsent(UUID meetingId, String nodeId) {
            return inner.assignIfAbsent(meetingId, nodeId);
        }

        @Override
        public boolean compareAndSet(UUID meetingId, String expected, String next) {
            return inner.compareAndSet(meetingId, expected, next);
        }

        @Override
        public boolean refresh(UUID meetingId) {
            return inner.refresh(meetingId);
        }

        @Override
        public boolean clear(UUID meetingId) {
            return inner.clear(meetingId);
        }
    };

    private List<String> beat(long millis) {
        List<String> reported = fence.beforeHeartbeat(millis * MS, hosted, placement, m -> {
            ended.add(m);
            return 1;
        });
        fence.beat(millis * MS);
        return reported;
    }

    @Test
    void aNodeThatHeartbeatsOnTimeNeverReadsThePlacementAndReportsAll() {
        inner.assignIfAbsent(moved, "sfu-2");
        for (long t = 250; t <= 60_000; t += 250) {
            assertThat(beat(t)).isEqualTo(hosted);
        }
        assertThat(reads).isZero();
        assertThat(ended).isEmpty();
    }

    @Test
    void afterASilenceAMeetingPlacedElsewhereIsNotReportedAndItsDetachedSessionsEnd() {
        inner.assignIfAbsent(moved, "sfu-2");
        inner.assignIfAbsent(ours, "sfu-1");
        beat(1_000);
        // Stopped for 3 s.
        assertThat(beat(4_000)).containsExactly(ours.toString(), "a-test-room");
        assertThat(ended).containsExactly(moved.toString());
        // Beats keep ending sessions (detached late) while the node still hosts the moved meeting, past the window too.
        for (long t = 4_250; t <= 4_000 + StaleNodeFence.WINDOW.toMillis() + 1_000; t += 250) {
            assertThat(beat(t)).containsExactly(ours.toString(), "a-test-room");
        }
        assertThat(ended).hasSizeGreaterThan(20).containsOnly(moved.toString());
    }

    @Test
    void theWindowOfReadsCloses() {
        beat(1_000);
        beat(4_000);
        assertThat(reads).isPositive();
        long end = 4_000 + StaleNodeFence.WINDOW.toMillis();
        for (long t = 4_250; t < end; t += 250) {
            beat(t);
        }
        int during = reads;
        for (long t = end; t < end + 2_000; t += 250) {
            beat(t);
        }
        assertThat(reads).as("no reads once the window closed").isEqualTo(during);
    }

    @Test
    void failedHeartbeatsCountAsSilence() {
        beat(1_000);
        // Ticks at 1250 .. 2000 failed (Redis away): no beat recorded.
        fence.beforeHeartbeat(1_250 * MS, hosted, placement, m -> 0);
        assertThat(reads).isZero();
        fence.beforeHeartbeat(2_250 * MS, hosted, placement, m -> 0);
        assertThat(reads).as("1.25 s since the last heartbeat that arrived").isPositive();
    }

    @Test
    void aMeetingWithoutPlacementOrPlacedHereStaysReported() {
        inner.assignIfAbsent(ours, "sfu-1");
        beat(1_000);
        assertThat(beat(5_000)).isEqualTo(hosted);
        assertThat(ended).isEmpty();
    }
}
