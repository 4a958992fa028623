package dev.convene.media.routing;

import static dev.convene.media.routing.TestPackets.MS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.convene.media.core.rtp.RtpPacket;
import org.junit.jupiter.api.Test;

/** Eviction of the retransmission cache by count, bytes and age, on a fake clock. */
class RetransmissionBufferTest {

    private static RtpPacket packet(int seq, int payloadLength) {
        byte[] buf = TestPackets.rtp(0xABCDEF01L, 96, seq, 1000L * seq, 5, TestPackets.payload(payloadLength, seq));
        return TestPackets.wrap(buf, payloadLength);
    }

    @Test
    void keepsACopyThatOutlivesTheCallersBuffer() {
        RetransmissionBuffer buffer = new RetransmissionBuffer();
        RtpPacket p = packet(500, 100);
        buffer.store(p, 500, 0);
        p.buffer()[p.payloadOffset()] ^= (byte) 0xFF;

        int slot = buffer.find(buffer.extend(500), 10 * MS);
        assertThat(slot).isNotNegative();
        RtpPacket held = buffer.packet(slot);
        assertThat(held.sequenceNumber()).isEqualTo(500);
        assertThat(held.payloadLength()).isEqualTo(100);
        assertThat(held.buffer()[held.payloadOffset()]).isEqualTo(TestPackets.payload(100, 500)[0]);
        assertThat(buffer.bytes()).isEqualTo(112);
    }

    @Test
    void evictsByCountAsTheRingTurns() {
        RetransmissionBuffer buffer = new RetransmissionBuffer(new RetransmissionBuffer.Settings(8, 1 << 20, 1_000 * MS, 1500));
        for (int seq = 0; seq < 20; seq++) {
            buffer.store(packet(seq, 50), seq, 0);
        }
        for (int seq = 0; seq < 12; seq++) {
            assertThat(buffer.find(seq, 0)).as("seq %d", seq).isNegative();
        }
        for (int seq = 12; seq < 20; seq++) {
            assertThat(buffer.find(seq, 0)).as("seq %d", seq).isNotNegative();
        }
        assertThat(buffer.evictedByCount()).isEqualTo(12);
        assertThat(buffer.bytes()).isEqualTo(8 * 62);
    }

    @Test
    void evictsOldestFirstByBytes() {
        RetransmissionBuffer buffer = new RetransmissionBuffer(new RetransmissionBuffer.Settings(64, 1000, 1_000 * MS, 1500));
        for (int seq = 0; seq < 10; seq++) {
            buffer.store(packet(seq, 188), seq, 0); // 200 bytes each
        }
        assertThat(buffer.bytes()).isEqualTo(1000);
        assertThat(buffer.evictedByBytes()).isEqualTo(5);
        assertThat(buffer.find(4, 0)).isNegative();
        assertThat(buffer.find(5, 0)).isNotNegative();
        assertThat(buffer.find(9, 0)).isNotNegative();
    }

    @Test
    void evictsByAgeOnLookup() {
        RetransmissionBuffer buffer = new RetransmissionBuffer();
        buffer.store(packet(1, 50), 1, 0);
        buffer.store(packet(2, 50), 2, 600 * MS);
        assertThat(buffer.find(1, 1_000 * MS)).isNotNegative();
        assertThat(buffer.find(1, 1_001 * MS)).isNegative();
        assertThat(buffer.find(2, 1_001 * MS)).isNotNegative();
        assertThat(buffer.evictedByAge()).isEqualTo(1);
        assertThat(buffer.bytes()).isEqualTo(62);
    }

    @Test
    void extendsNackedNumbersAcrossTheWrap() {
        RetransmissionBuffer buffer = new RetransmissionBuffer();
        for (long ext = 65_530; ext < 65_540; ext++) {
            buffer.store(packet((int) ext & 0xFFFF, 20), ext, 0);
        }
        assertThat(buffer.extend(65_533)).isEqualTo(65_533);
        assertThat(buffer.extend(2)).isEqualTo(65_538);
        int slot = buffer.find(buffer.extend(1), 0);
        assertThat(buffer.packet(slot).sequenceNumber()).isEqualTo(1);
    }

    @Test
    void aJumpFarAheadEmptiesTheRingWithoutWalkingTheGap() {
        RetransmissionBuffer buffer = new RetransmissionBuffer(new RetransmissionBuffer.Settings(8, 1 << 20, 1_000 * MS, 1500));
        for (int seq = 0; seq < 8; seq++) {
            buffer.store(packet(seq, 20), seq, 0);
        }
        buffer.store(packet(1, 20), 1L << 40, 0);
        assertThat(buffer.bytes()).isEqualTo(32);
        assertThat(buffer.evictedByCount()).isEqualTo(8);
        assertThat(buffer.find(1L << 40, 0)).isNotNegative();
    }

    @Test
    void refusesPacketsLargerThanASlot() {
        RetransmissionBuffer buffer = new RetransmissionBuffer(new RetransmissionBuffer.Settings(8, 1 << 20, 1_000 * MS, 100));
        buffer.store(packet(1, 200), 1, 0);
        assertThat(buffer.find(1, 0)).isNegative();
        assertThat(buffer.bytes()).isZero();
    }
}
