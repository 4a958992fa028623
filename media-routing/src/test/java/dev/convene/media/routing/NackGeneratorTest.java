package dev.convene.media.routing;

import static dev.convene.media.routing.TestPackets.MS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.convene.media.routing.NackGenerator.Arrival;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** NACK generation (RFC 4585 §6.2.1 semantics) on a fake clock: time is whatever the test passes. */
class NackGeneratorTest {

    private final NackGenerator nacks = new NackGenerator();
    private final int[] out = new int[64];

    private int[] collect(long now) {
        return Arrays.copyOf(out, nacks.collect(now, out));
    }

    @Test
    void aGapIsRequestedAfterTheReorderDelayThenEveryRtt() {
        nacks.onPacket(100, 0);
        assertThat(nacks.onPacket(103, 1 * MS)).isEqualTo(Arrival.NEW);

        assertThat(collect(5 * MS)).as("within the reorder delay").isEmpty();
        assertThat(collect(11 * MS)).containsExactly(101, 102);
        assertThat(collect(60 * MS)).as("default RTT 100 ms not yet passed").isEmpty();
        assertThat(collect(111 * MS)).containsExactly(101, 102);

        nacks.setRtt(40 * MS);
        assertThat(collect(140 * MS)).isEmpty();
        assertThat(collect(151 * MS)).containsExactly(101, 102);
        assertThat(nacks.requested()).isEqualTo(6);
    }

    @Test
    void reorderedPacketsAreNeverRequested() {
        nacks.onPacket(10, 0);
        nacks.onPacket(12, 1 * MS);
        nacks.onPacket(11, 3 * MS);
        nacks.onPacket(14, 4 * MS);
        assertThat(nacks.onPacket(13, 6 * MS)).isEqualTo(Arrival.RECOVERED);

        assertThat(collect(50 * MS)).isEmpty();
        assertThat(nacks.missed()).isEqualTo(2);
        assertThat(nacks.recovered()).isEqualTo(2);
        assertThat(nacks.missingCount()).isZero();
    }

    @Test
    void aRetransmissionRemovesTheNumberAndALateDuplicateIsRecognised() {
        nacks.onPacket(1, 0);
        nacks.onPacket(4, 0);
        assertThat(collect(20 * MS)).containsExactly(2, 3);
        assertThat(nacks.onPacket(3, 30 * MS)).isEqualTo(Arrival.RECOVERED);
        assertThat(nacks.onPacket(3, 31 * MS)).isEqualTo(Arrival.DUPLICATE_OR_LATE);
        assertThat(collect(200 * MS)).containsExactly(2);
    }

    @Test
    void theSequenceWrapIsAStepForward() {
        nacks.onPacket(65_533, 0);
        assertThat(nacks.onPacket(1, 1 * MS)).isEqualTo(Arrival.NEW);

        assertThat(collect(20 * MS)).containsExactly(65_534, 65_535, 0);
        assertThat(nacks.highestSequenceNumber()).isEqualTo(65_537);
        assertThat(nacks.onPacket(0, 25 * MS)).isEqualTo(Arrival.RECOVERED);
        assertThat(nacks.onPacket(65_535, 26 * MS)).isEqualTo(Arrival.RECOVERED);
        assertThat(collect(200 * MS)).containsExactly(65_534);
    }

    @Test
    void reorderingAcrossTheWrapIsNotAJump() {
        nacks.onPacket(65_535, 0);
        nacks.onPacket(1, 1 * MS);
        assertThat(nacks.onPacket(0, 2 * MS)).isEqualTo(Arrival.RECOVERED);
        assertThat(nacks.onPacket(65_534, 3 * MS)).isEqualTo(Arrival.DUPLICATE_OR_LATE);
        assertThat(collect(50 * MS)).isEmpty();
        assertThat(nacks.resets()).isZero();
    }

    @Test
    void givesUpAfterMaxRetries() {
        NackGenerator.Settings s = new NackGenerator.Settings(64, 3, 10_000 * MS, 0, 100 * MS, 3000);
        NackGenerator limited = new NackGenerator(s);
        limited.onPacket(1, 0);
        limited.onPacket(3, 0);
        int requests = 0;
        for (long t = 0; t <= 2_000 * MS; t += 10 * MS) {
            requests += limited.collect(t, out);
        }
        assertThat(requests).isEqualTo(3);
        assertThat(limited.givenUp()).isEqualTo(1);
        assertThat(limited.missingCount()).isZero();
        assertThat(limited.takeAbandoned()).as("the gap no request will fill, reported once").isEqualTo(1);
        assertThat(limited.takeAbandoned()).isZero();
    }

    @Test
    void aRecoveredGapIsNotAbandonedButOverflowAndGivingUpAre() {
        NackGenerator small = new NackGenerator(new NackGenerator.Settings(4, 2, 1_000 * MS, 0, 100 * MS, 3000));
        small.onPacket(0, 0);
        small.onPacket(2, 0);
        small.collect(0, out);
        small.onPacket(1, 50 * MS); // repaired
        assertThat(small.takeAbandoned()).isZero();

        small.onPacket(9, 60 * MS); // 3..8 missing: 6 numbers, 4 kept
        assertThat(small.takeAbandoned()).as("pushed out of the full list").isEqualTo(2);
        for (long t = 60 * MS; t <= 500 * MS; t += 10 * MS) {
            small.collect(t, out);
        }
        assertThat(small.takeAbandoned()).as("given up after two requests each").isEqualTo(4);

        small.onPacket(9_000, 600 * MS);
        assertThat(small.takeAbandoned()).as("a restarted sender is not a gap").isZero();
    }

    @Test
    void givesUpAfterMaxAge() {
        nacks.onPacket(1, 0);
        nacks.onPacket(3, 0);
        int requests = 0;
        for (long t = 0; t <= 3_000 * MS; t += 10 * MS) {
            requests += nacks.collect(t, out);
        }
        // Requests at 10, 110, …, 910 ms, then given up.
        assertThat(requests).isEqualTo(10);
        assertThat(nacks.givenUp()).isEqualTo(1);
        NackGenerator.Settings young = new NackGenerator.Settings(64, 100, 250 * MS, 0, 100 * MS, 3000);
        NackGenerator shortLived = new NackGenerator(young);
        shortLived.onPacket(1, 0);
        shortLived.onPacket(3, 0);
        requests = 0;
        for (long t = 0; t <= 3_000 * MS; t += 10 * MS) {
            requests += shortLived.collect(t, out);
        }
        assertThat(requests).as("at 0, 100 and 200 ms").isEqualTo(3);
    }

    @Test
    void theListIsBoundedOldestDroppedFirst() {
        NackGenerator small = new NackGenerator(new NackGenerator.Settings(8, 10, 1_000 * MS, 0, 100 * MS, 3000));
        small.onPacket(0, 0);
        small.onPacket(6, 0);   // 1..5 missing
        small.onPacket(12, 0);  // 7..11 missing: 10 in all, 2 oldest dropped
        assertThat(small.missingCount()).isEqualTo(8);
        assertThat(small.overflowed()).isEqualTo(2);
        assertThat(Arrays.copyOf(out, small.collect(0, out))).containsExactly(3, 4, 5, 7, 8, 9, 10, 11);

        small.onPacket(500, 0); // 487 missing: only the newest 8 kept
        assertThat(Arrays.copyOf(out, small.collect(0, out))).containsExactly(492, 493, 494, 495, 496, 497, 498, 499);
    }

    @Test
    void aBigJumpStartsAfreshInsteadOfAskingForThousands() {
        nacks.onPacket(100, 0);
        nacks.onPacket(102, 0);
        assertThat(nacks.onPacket(20_000, 1 * MS)).isEqualTo(Arrival.RESET);
        assertThat(nacks.missingCount()).isZero();
        assertThat(collect(50 * MS)).isEmpty();
        nacks.onPacket(20_002, 60 * MS);
        assertThat(collect(80 * MS)).containsExactly(20_001);
        assertThat(nacks.resets()).isEqualTo(1);
    }

    @Test
    void aShortOutputArrayTakesTheOldestFirstAndKeepsTheRestDue() {
        nacks.onPacket(0, 0);
        nacks.onPacket(11, 0);
        int[] three = new int[3];
        assertThat(nacks.collect(20 * MS, three)).isEqualTo(3);
        assertThat(three).containsExactly(1, 2, 3);
        assertThat(Arrays.copyOf(out, nacks.collect(21 * MS, out))).containsExactly(4, 5, 6, 7, 8, 9, 10);
    }
}
