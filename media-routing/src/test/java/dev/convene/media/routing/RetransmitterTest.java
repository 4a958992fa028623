package dev.convene.media.routing;

import static dev.convene.media.routing.TestPackets.MS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.convene.media.core.Bytes;
import dev.convene.media.core.rtp.RtpPacket;
import org.junit.jupiter.api.Test;

/** The retransmitter's caps — per packet, per RTT, per leg budget — on a fake clock. */
class RetransmitterTest {

    private static final long RTX_SSRC = 0x11223344L;
    private static final int RTX_PT = 97;
    private final byte[] out = new byte[2000];

    private static RtpPacket packet(int seq, int payloadLength) {
        byte[] buf = TestPackets.rtp(0xABCDEF01L, 96, seq, 90L * seq, 0, TestPackets.payload(payloadLength, seq));
        return TestPackets.wrap(buf, payloadLength);
    }

    private static Retransmitter retransmitter(double share, long floorBps) {
        return new Retransmitter(new Retransmitter.Settings(2, 100 * MS, share, floorBps, 250 * MS,
                RetransmissionBuffer.Settings.defaults()), RTX_SSRC, RTX_PT, 65_535);
    }

    @Test
    void answersWithAnRfc4588PacketOnTheRtxSsrcAndPayloadType() {
        Retransmitter r = retransmitter(0.2, 1_000_000);
        r.onSent(packet(4000, 100), 4000, 0);

        int len = r.retransmit(4000, 5 * MS, 1_000_000, out, 3);
        assertThat(len).isEqualTo(114);
        RtpPacket rtx = new RtpPacket();
        assertThat(rtx.wrap(out, 3, len)).isTrue();
        assertThat(rtx.ssrc()).isEqualTo(RTX_SSRC);
        assertThat(rtx.payloadType()).isEqualTo(RTX_PT);
        assertThat(rtx.sequenceNumber()).isEqualTo(65_535);
        assertThat(Bytes.u16(out, rtx.payloadOffset())).as("OSN").isEqualTo(4000);
        assertThat(out[rtx.payloadOffset() + 2]).isEqualTo(TestPackets.payload(100, 4000)[0]);

        r.onSent(packet(4001, 100), 4001, 0);
        assertThat(r.retransmit(4001, 5 * MS, 1_000_000, out, 0)).isPositive();
        assertThat(new RtpPacket().wrap(out, 0, 114)).isTrue();
        assertThat(Bytes.u16(out, 2)).as("RTX sequence numbers wrap too").isZero();
    }

    @Test
    void eachPacketAtMostTwiceAndNotTwiceWithinAnRtt() {
        Retransmitter r = retransmitter(0.2, 10_000_000);
        r.onSent(packet(10, 100), 10, 0);

        assertThat(r.retransmit(10, 0, 0, out, 0)).isPositive();
        assertThat(r.retransmit(10, 50 * MS, 0, out, 0)).as("within the RTT").isZero();
        assertThat(r.retransmit(10, 100 * MS, 0, out, 0)).isPositive();
        assertThat(r.retransmit(10, 300 * MS, 0, out, 0)).as("twice already").isZero();
        assertThat(r.retransmit(11, 300 * MS, 0, out, 0)).as("never sent").isZero();

        assertThat(r.sent()).isEqualTo(2);
        assertThat(r.suppressedRtt()).isEqualTo(1);
        assertThat(r.suppressedPerPacket()).isEqualTo(1);
        assertThat(r.notCached()).isEqualTo(1);

        r.setRtt(20 * MS);
        r.onSent(packet(12, 100), 12, 400 * MS);
        assertThat(r.retransmit(12, 400 * MS, 0, out, 0)).isPositive();
        assertThat(r.retransmit(12, 421 * MS, 0, out, 0)).as("a measured RTT replaces the default").isPositive();
    }

    @Test
    void oneInflatedRttSampleMovesTheSpacingOnlyAnEighth() {
        Retransmitter r = retransmitter(0.2, 10_000_000);
        r.setRtt(40 * MS);
        r.setRtt(360 * MS);
        assertThat(r.rttNanos()).isEqualTo(80 * MS);
        r.onSent(packet(1, 100), 1, 0);
        assertThat(r.retransmit(1, 0, 0, out, 0)).isPositive();
        assertThat(r.retransmit(1, 79 * MS, 0, out, 0)).isZero();
        assertThat(r.retransmit(1, 81 * MS, 0, out, 0)).as("not held back for the inflated 360 ms").isPositive();
    }

    @Test
    void aNackStormCostsNoMoreThanTheBudget() {
        // A leg at 1 Mbit/s: 20 % + 50 kbit/s floor = 250 kbit/s = 31 250 bytes/s, plus a 250 ms burst.
        Retransmitter r = retransmitter(0.2, 50_000);
        long mediaBps = 1_000_000;
        long rtxBytes = 0;
        int seq = 0;
        // For 2 s, 100 packets of 1000 bytes a second are sent, and the receiver NACKs every one
        // of the last 100 every 10 ms.
        for (long t = 0; t < 2_000 * MS; t += 10 * MS) {
            r.onSent(packet(seq, 988), seq, t);
            seq++;
            for (int s = Math.max(0, seq - 100); s < seq; s++) {
                rtxBytes += r.retransmit(s, t, mediaBps, out, 0);
            }
        }
        double allowed = 31_250 * 2.0 + 31_250 * 0.25;
        assertThat((double) rtxBytes).isLessThanOrEqualTo(allowed).isGreaterThan(allowed * 0.8);
        assertThat(r.suppressedBudget()).isPositive();
        assertThat(r.sent()).isLessThanOrEqualTo(2L * seq);
    }

    @Test
    void aQuietLegStillGetsTheFloor() {
        Retransmitter r = retransmitter(0.2, 80_000); // 10 000 bytes/s, 2 500-byte burst
        for (int s = 0; s < 5; s++) {
            r.onSent(packet(s, 988), s, 0);
        }
        int sent = 0;
        for (int s = 0; s < 5; s++) {
            if (r.retransmit(s, 0, 0, out, 0) > 0) {
                sent++;
            }
        }
        assertThat(sent).as("2 500 bytes of burst hold two 1 002-byte RTX packets").isEqualTo(2);
        assertThat(r.retransmit(2, 50 * MS, 0, out, 0)).as("496 + 500 bytes after 50 ms: not enough").isZero();
        assertThat(r.retransmit(2, 100 * MS, 0, out, 0)).isPositive();
    }

    @Test
    void saysWhyItSentNothingAndWhichCopyItSent() {
        Retransmitter r = retransmitter(0.2, 10_000_000);
        r.onSent(packet(100, 100), 100, 0);
        r.onSent(packet(102, 100), 102, 0);

        assertThat(r.retransmit(101, 1 * MS, 0, out, 0)).isZero();
        assertThat(r.lastRefusal()).as("lost before it reached us").isEqualTo(Retransmitter.Refusal.NOT_HELD);
        assertThat(r.lastRefusal().leavesGap()).as("upstream repair may still bring it").isFalse();
        assertThat(r.retransmit(600, 1 * MS, 0, out, 0)).isZero();
        assertThat(r.lastRefusal()).as("not sent yet").isEqualTo(Retransmitter.Refusal.NOT_HELD);

        assertThat(r.retransmit(100, 1 * MS, 0, out, 0)).isPositive();
        assertThat(r.lastRefusal()).isEqualTo(Retransmitter.Refusal.NONE);
        assertThat(r.lastCopy()).isEqualTo(1);
        assertThat(r.retransmit(100, 50 * MS, 0, out, 0)).isZero();
        assertThat(r.lastRefusal()).isEqualTo(Retransmitter.Refusal.WITHIN_RTT);
        assertThat(r.lastRefusal().leavesGap()).as("the copy may still arrive").isFalse();
        assertThat(r.retransmit(100, 101 * MS, 0, out, 0)).isPositive();
        assertThat(r.lastCopy()).isEqualTo(2);
        assertThat(r.retransmit(100, 300 * MS, 0, out, 0)).isZero();
        assertThat(r.lastRefusal()).as("both copies lost, and asked again").isEqualTo(Retransmitter.Refusal.PER_PACKET_CAP);
        assertThat(r.lastRefusal().leavesGap()).isTrue();
        assertThat(r.lastCopy()).isZero();

        // Older than the buffer's age limit (1 s): gone, whether evicted on lookup or by a later store.
        assertThat(r.retransmit(102, 1_001 * MS, 0, out, 0)).isZero();
        assertThat(r.lastRefusal()).isEqualTo(Retransmitter.Refusal.GONE);
        assertThat(r.lastRefusal().leavesGap()).isTrue();
        r.onSent(packet(103, 100), 103, 1_002 * MS);
        assertThat(r.retransmit(100, 1_003 * MS, 0, out, 0)).isZero();
        assertThat(r.lastRefusal()).isEqualTo(Retransmitter.Refusal.GONE);
    }

    @Test
    void aPacketOverwrittenByNewerOnesIsGone() {
        Retransmitter r = new Retransmitter(new Retransmitter.Settings(2, 100 * MS, 0.2, 10_000_000, 250 * MS,
                new RetransmissionBuffer.Settings(8, 1 << 20, 10_000 * MS, 1500)), RTX_SSRC, RTX_PT, 0);
        for (int s = 0; s < 20; s++) {
            r.onSent(packet(s, 100), s, s * MS);
        }
        assertThat(r.retransmit(5, 30 * MS, 0, out, 0)).isZero();
        assertThat(r.lastRefusal()).isEqualTo(Retransmitter.Refusal.GONE);
        assertThat(r.retransmit(19, 30 * MS, 0, out, 0)).isPositive();
    }

    @Test
    void aReceiverThatRefusedRtxGetsNoneAndItsNacksAreGaps() {
        Retransmitter r = retransmitter(0.2, 10_000_000);
        r.setNegotiated(false);
        r.onSent(packet(1, 100), 1, 0);
        assertThat(r.retransmit(1, 1 * MS, 0, out, 0)).isZero();
        assertThat(r.lastRefusal()).isEqualTo(Retransmitter.Refusal.NOT_NEGOTIATED);
        assertThat(r.lastRefusal().leavesGap()).isTrue();
        assertThat(r.buffer().stored()).as("nothing kept for a leg without RTX").isZero();

        r.setNegotiated(true);
        r.onSent(packet(2, 100), 2, 2 * MS);
        assertThat(r.retransmit(2, 3 * MS, 0, out, 0)).isPositive();
    }

    @Test
    void overBudgetIsNotAGapYet() {
        Retransmitter r = retransmitter(0, 8_000); // 1 000 bytes/s, 250-byte burst
        r.onSent(packet(1, 988), 1, 0);
        assertThat(r.retransmit(1, 0, 0, out, 0)).isZero();
        assertThat(r.lastRefusal()).isEqualTo(Retransmitter.Refusal.BUDGET);
        assertThat(r.lastRefusal().leavesGap()).as("the receiver's next NACK may be answered").isFalse();
    }
}
