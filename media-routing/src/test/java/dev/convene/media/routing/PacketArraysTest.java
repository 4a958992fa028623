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
}
