package dev.convene.media.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.convene.media.core.rtp.RtpPacket;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PacketArraysTest {

    @Test
    void takeAllocatesOnlyWhenNoSpareIsLeftAndReplenishKeepsAMarginAheadOfDemand() {
        PacketArrays pool = new PacketArrays(1500, 8);
        pool.replenish();
        assertThat(pool.spare()).isEqualTo(8);
        assertThat(pool.allocatedOnReplenish()).isEqualTo(8);

        List<byte[]> taken = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            taken.add(pool.take());
        }
        assertThat(pool.allocatedOnTake()).isZero();
        taken.add(pool.take());
        assertThat(pool.allocatedOnTake()).as("the ninth array, with no spare left").isEqualTo(1);

        // With 40 in use the margin is a quarter of them: 10.
        for (int i = 0; i < 31; i++) {
            taken.add(pool.take());
        }
        pool.replenish();
        assertThat(pool.inUse()).isEqualTo(40);
        assertThat(pool.spare()).isEqualTo(10);
        long before = pool.allocatedOnTake();
        for (int i = 0; i < 10; i++) {
            taken.add(pool.take());
        }
        assertThat(pool.allocatedOnTake()).isEqualTo(before);
    }

    @Test
    void arraysGivenBackBeyondTwiceTheMarginAreDropped() {
        PacketArrays pool = new PacketArrays(100, 4);
        List<byte[]> taken = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            taken.add(pool.take());
        }
        taken.forEach(pool::give);
        assertThat(pool.inUse()).isZero();
        // The margin is judged as each array comes back (a quarter of those still in use, doubled):
        // the spare list ends bounded by the busiest moment's margin, not by all the arrays.
        assertThat(pool.spare()).as("spares kept of 100 given back").isBetween(16, 50);
    }

    @Test
    void aBufferOnASharedPoolReturnsItsArraysOnEviction() {
        PacketArrays pool = new PacketArrays(1500, 0);
        RetransmissionBuffer.Settings four = new RetransmissionBuffer.Settings(4, 1 << 20, 1_000_000_000L, 1500);
        RetransmissionBuffer a = new RetransmissionBuffer(four, pool);
        RetransmissionBuffer b = new RetransmissionBuffer(four, pool);
        RtpPacket packet = TestPackets.wrap(TestPackets.rtp(0xABCDEF01L, 96, 1, 1000L, 5, TestPackets.payload(188, 1)), 188);
        for (long seq = 0; seq < 4; seq++) {
            a.store(packet, seq, 0);
        }
        assertThat(pool.inUse()).isEqualTo(4);
        a.store(packet, 100, 0);
        assertThat(pool.inUse()).as("a jump past every slot evicts all four, the new packet takes one").isEqualTo(1);
        assertThat(pool.spare()).isEqualTo(3);
        for (long seq = 0; seq < 4; seq++) {
            b.store(packet, seq, 0);
        }
        assertThat(pool.inUse()).isEqualTo(5);
        assertThat(pool.allocatedOnTake()).as("a's evicted arrays fed three of b's stores").isEqualTo(5);
    }

    @Test
    void aPoolOfAnotherArraySizeIsRefused() {
        assertThatThrownBy(() -> new RetransmissionBuffer(RetransmissionBuffer.Settings.defaults(), new PacketArrays(100, 0)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void trafficThatRisesAndFallsAgainReusesItsArraysAndAnEndedMeetingsAreDroppedInTime() {
        PacketArrays pool = new PacketArrays(100, 4);
        List<byte[]> taken = new ArrayList<>();
        for (int cycle = 0; cycle < 20; cycle++) {
            // A second of packets swings between 200 and 400 held (key frames, a loaded loop catching up).
            while (taken.size() < 400) {
                taken.add(pool.take());
                if (taken.size() % 20 == 0) {
                    pool.replenish();
                }
            }
            while (taken.size() > 200) {
                pool.give(taken.removeLast());
                if (taken.size() % 20 == 0) {
                    pool.replenish();
                }
            }
        }
        long allocated = pool.allocatedOnTake() + pool.allocatedOnReplenish();
        // 500 to reach the first high (400 held and its margin), then nothing.
        assertThat(allocated).as("arrays allocated over 20 swings").isLessThanOrEqualTo(500);
        for (int cycle = 0; cycle < 10; cycle++) {
            while (taken.size() < 400) {
                taken.add(pool.take());
                if (taken.size() % 20 == 0) {
                    pool.replenish();
                }
            }
            while (taken.size() > 200) {
                pool.give(taken.removeLast());
                if (taken.size() % 20 == 0) {
                    pool.replenish();
                }
            }
        }
        // Dropping spares beyond twice the margin on each fall took ~200 arrays per swing here.
        assertThat(pool.allocatedOnTake() + pool.allocatedOnReplenish()).as("once the swing was seen, none")
                .isEqualTo(allocated);

        taken.forEach(pool::give);
        taken.clear();
        for (int tick = 0; tick < 2 * PacketArrays.MARK_PERIOD_TICKS; tick++) { // a minute of 20 ms ticks, meeting gone
            pool.replenish();
        }
        assertThat(pool.spare()).as("spares a minute after the meeting ended").isLessThanOrEqualTo(16);
    }
}
