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
    void holdsArraysForAboutASecondOfTheLegsOwnPacketsAndReusesThem() {
        RetransmissionBuffer quiet = new RetransmissionBuffer();
        // 50 packets a second for 5 s: about 50 arrays, then the same ones over and over.
        for (int seq = 0; seq < 250; seq++) {
            quiet.store(packet(seq, 500), seq, seq * 20 * MS);
        }
        assertThat(quiet.arraysAllocated()).isBetween(50L, 52L);
        assertThat(quiet.evictedByAge()).isGreaterThan(190);
        assertThat(quiet.bytes()).isLessThanOrEqualTo(52 * 512);
        assertThat(quiet.find(249 - 45, 249 * 20 * MS)).as("0.9 s old: kept").isNotNegative();

        RetransmissionBuffer busy = new RetransmissionBuffer();
        for (int seq = 0; seq < 5000; seq++) {
            busy.store(packet(seq, 1000), seq, seq * MS);
        }
        assertThat(busy.arraysAllocated()).as("bounded by the byte budget below the slot count")
                .isLessThanOrEqualTo(512 * 1024 / 1012 + 1);
    }

    @Test
    void aPacketRepairedUpstreamStillFindsItsSlot() {
        RetransmissionBuffer buffer = new RetransmissionBuffer();
        buffer.store(packet(10, 50), 10, 0);
        buffer.store(packet(12, 50), 12, 1_500 * MS); // 10 ages out; 11 was lost upstream
        buffer.store(packet(13, 50), 13, 1_510 * MS);
        buffer.store(packet(11, 50), 11, 1_560 * MS); // its RTX reached us 60 ms later
        assertThat(buffer.find(10, 1_560 * MS)).isNegative();
        assertThat(buffer.find(11, 1_570 * MS)).isNotNegative();
    }

    @Test
    void refusesPacketsLargerThanASlot() {
        RetransmissionBuffer buffer = new RetransmissionBuffer(new RetransmissionBuffer.Settings(8, 1 << 20, 1_000 * MS, 100));
        buffer.store(packet(1, 200), 1, 0);
        assertThat(buffer.find(1, 0)).isNegative();
        assertThat(buffer.bytes()).isZero();
    }

    // ---- shared payloads (ADR 0038) ----

    private static final int HEADER = RtpPacket.FIXED_HEADER_LENGTH;

    /** The loop's two pools, fresh per test: whole packets and heads. */
    private final PacketArrays arrays = PacketArrays.unshared(1500);
    private final PacketArrays heads = PacketArrays.unshared(RetransmissionBuffer.HEAD_SIZE);

    /** A leg's buffer keeping heads in {@link #heads}, whole packets in {@link #arrays}. */
    private RetransmissionBuffer leg() {
        return new RetransmissionBuffer(RetransmissionBuffer.Settings.defaults(), arrays, heads);
    }

    /** A layer's buffer of received packets, with {@code slots} slots, in {@link #arrays}. */
    private RetransmissionBuffer received(int slots) {
        return new RetransmissionBuffer(new RetransmissionBuffer.Settings(slots, 1 << 20, 1_000 * MS, 1500), arrays);
    }

    /** {@code received} as a leg sends it: new number, timestamp and SSRC, its first payload byte rewritten. */
    private static RtpPacket rewritten(RtpPacket received, int seq) {
        byte[] copy = java.util.Arrays.copyOf(received.buffer(), received.buffer().length);
        RtpPacket p = TestPackets.wrap(copy, received.payloadLength());
        p.setSequenceNumber(seq);
        p.setTimestamp(received.timestamp() + 90_000);
        p.setSsrc(0x12345678L);
        copy[p.payloadOffset()] ^= 0x55; // as a picture id rewrite would
        return p;
    }

    private static byte[] bytesOf(RtpPacket p) {
        return java.util.Arrays.copyOfRange(p.buffer(), p.offset(), p.offset() + p.length());
    }

    @Test
    void keepsOnlyTheHeadWhenTheTailIsTheReceivedPacketsAndGivesTheWholePacketBack() {
        RetransmissionBuffer received = received(1024);
        RetransmissionBuffer leg = leg();
        RtpPacket in = packet(65_530, 1000);
        long source = received.storeReceived(in, 0);
        RtpPacket out = rewritten(in, 40);
        byte[] sent = bytesOf(out);

        leg.store(out, 40, 0, received, source);
        java.util.Arrays.fill(out.buffer(), (byte) 0); // the send buffer is reused for the next packet

        assertThat(leg.sharedTails()).isEqualTo(1);
        assertThat(leg.bytes()).as("header and the payload's first bytes").isEqualTo(HEADER + RetransmissionBuffer.HEAD_PAYLOAD);
        assertThat(heads.inUse()).isEqualTo(1);
        assertThat(arrays.inUse()).as("the received packet's array only").isEqualTo(1);
        int slot = leg.find(40, 10 * MS);
        assertThat(slot).isNotNegative();
        assertThat(bytesOf(leg.packet(slot))).isEqualTo(sent);
    }

    @Test
    void extendsReceivedNumbersAcrossTheWrapAndAPacketReorderedBeforeTheFirst() {
        RetransmissionBuffer received = new RetransmissionBuffer();
        long first = received.storeReceived(packet(65_535, 50), 0);
        assertThat(received.storeReceived(packet(0, 50), 0)).isEqualTo(first + 1);
        assertThat(received.storeReceived(packet(65_534, 50), 0)).as("reordered").isEqualTo(first - 1);
        assertThat(received.find(first + 1, 0)).isNotNegative();
        assertThat(received.find(first - 1, 0)).as("before the first: not kept, a leg copies it whole").isNegative();
    }

    @Test
    void readsNumbersForwardAfterALayerNobodyTookForLongerThanPacketsAreKept() {
        RetransmissionBuffer received = received(1024);
        long first = received.storeReceived(packet(1_000, 50), 0);
        // 40,000 numbers later (more than half a cycle: it would read as older than the first)
        long later = received.storeReceived(packet(41_000, 50), 5_000 * MS);
        assertThat(later).isEqualTo(first + 40_000);
        assertThat(received.find(later, 5_000 * MS)).isNotNegative();
        assertThat(received.storeReceived(packet(41_001, 50), 5_001 * MS)).isEqualTo(later + 1);
        assertThat(received.storeReceived(packet(40_999, 50), 5_002 * MS)).as("reordered, within the pause rule").isEqualTo(later - 1);
    }

    @Test
    void missesOnceTheReceivedPacketIsGoneSoTheNackEndsInAKeyFrameRequest() {
        RetransmissionBuffer received = received(4);
        RetransmissionBuffer leg = leg();
        RtpPacket in = packet(100, 500);
        long source = received.storeReceived(in, 0);
        leg.store(rewritten(in, 7), 7, 0, received, source);
        for (int seq = 101; seq < 106; seq++) {
            received.storeReceived(packet(seq, 500), MS); // four slots: 100 is pushed out
        }

        assertThat(leg.find(7, 2 * MS)).isNegative();
        assertThat(leg.lastMissWasGone()).isTrue();
        assertThat(heads.inUse()).as("the head went back").isZero();
    }

    @Test
    void copiesThePacketWholeWhenItDiffersBeyondTheHeadOrItsSourceIsUnknown() {
        RetransmissionBuffer received = received(1024);
        RetransmissionBuffer leg = leg();
        RtpPacket in = packet(100, 800);
        long source = received.storeReceived(in, 0);
        RtpPacket out = rewritten(in, 1);
        out.buffer()[out.offset() + out.length() - 1] ^= 1;
        byte[] sent = bytesOf(out);
        leg.store(out, 1, 0, received, source);
        leg.store(rewritten(in, 2), 2, 0, received, source + 5); // never received

        assertThat(leg.sharedTails()).isZero();
        assertThat(leg.bytes()).isEqualTo(2 * (HEADER + 800));
        assertThat(bytesOf(leg.packet(leg.find(1, 0)))).isEqualTo(sent);
    }

    @Test
    void keepsAShortPacketWholeInAHeadArray() {
        RetransmissionBuffer leg = leg();
        RtpPacket small = packet(3, 100);
        byte[] sent = bytesOf(small);
        leg.store(small, 3, 0);

        assertThat(heads.inUse()).isEqualTo(1);
        assertThat(arrays.inUse()).isZero();
        assertThat(bytesOf(leg.packet(leg.find(3, 0)))).isEqualTo(sent);
        for (int seq = 4; seq < 4 + 600; seq++) {
            leg.store(packet(seq, seq % 2 == 0 ? 100 : 1000), seq, 0); // slots turn over, arrays change size
        }
        assertThat(heads.inUse() + arrays.inUse()).as("one array per held packet").isEqualTo(512);
    }
}
