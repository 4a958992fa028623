package dev.convene.media.routing;

import static dev.convene.media.routing.TestPackets.MS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.convene.media.core.codec.Codec;
import dev.convene.media.core.rtp.RtpPacket;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A publisher's stream through the receive stages, one subscriber leg and back: a lost packet
 * is NACKed upstream, its RTX restored and routed, and a subscriber's NACK answered with RTX.
 */
class PipelineStreamsTest {

    private static final long MEDIA_SSRC = 0x01020304L;
    private static final long PUBLISHER_RTX_SSRC = 0x05060708L;
    private static final long OUT_SSRC = 0x0A0B0C0DL;
    private static final long OUT_RTX_SSRC = 0x0E0F1011L;

    private final InboundStream inbound = new InboundStream(InboundStream.Config.of(Codec.VP8, 96, 97, true));
    private final OutboundStream leg = new OutboundStream(
            new RtpStreamRewriter(OUT_SSRC, 90_000, PayloadTypeMap.of(96, 100, Codec.VP8)),
            new Retransmitter(Retransmitter.Settings.defaults(), OUT_RTX_SSRC, 101, 0));
    private final byte[] tx = new byte[1600];
    private final RtpPacket copy = new RtpPacket();

    /** VP8 descriptor with S=1 and, for a key frame, a P=0 payload header. */
    private static byte[] vp8(boolean keyframe, int seed) {
        byte[] p = TestPackets.payload(40, seed);
        p[0] = 0x10;
        p[1] = (byte) (keyframe ? 0x10 : 0x11);
        return p;
    }

    private static RtpPacket media(int seq, boolean keyframe) {
        return TestPackets.wrap(TestPackets.rtp(MEDIA_SSRC, 96, seq, 3000L * seq, 0, vp8(keyframe, seq)), 40);
    }

    private static RtpPacket publisherRtx(int rtxSeq, int osn) {
        byte[] payload = new byte[42];
        payload[0] = (byte) (osn >>> 8);
        payload[1] = (byte) osn;
        System.arraycopy(vp8(false, osn), 0, payload, 2, 40);
        return TestPackets.wrap(TestPackets.rtp(PUBLISHER_RTX_SSRC, 97, rtxSeq, 3000L * osn, 0, payload), 42);
    }

    /** Runs a packet through both sides; returns the output sequence number sent, or -1. */
    private int route(RtpPacket packet, long now) {
        if (inbound.onRtp(packet, now) != InboundStream.Result.ROUTE) {
            return -1;
        }
        System.arraycopy(packet.buffer(), packet.offset(), tx, 0, packet.length());
        copy.wrap(tx, 0, packet.length());
        return leg.forward(copy, now).isForward() ? copy.sequenceNumber() : -1;
    }

    @Test
    void aPacketLostUpstreamIsNackedAndItsRetransmissionFillsTheSubscribersGap() {
        inbound.setMediaSsrc(MEDIA_SSRC);
        leg.rewriter().switchTo(MEDIA_SSRC);
        assertThat(route(media(1000, true), 0)).isEqualTo(1000);
        assertThat(route(media(1002, false), 1 * MS)).isEqualTo(1002);

        int[] nacks = new int[8];
        assertThat(Arrays.copyOf(nacks, inbound.collectNacks(20 * MS, nacks))).containsExactly(1001);

        assertThat(route(publisherRtx(7, 1001), 40 * MS)).as("restored, routed in its place").isEqualTo(1001);
        assertThat(copy.ssrc()).isEqualTo(OUT_SSRC);
        assertThat(copy.payloadType()).isEqualTo(100);
        assertThat(copy.payloadLength()).isEqualTo(40);
        assertThat(route(publisherRtx(8, 1001), 45 * MS)).as("a second copy is dropped").isEqualTo(-1);
        assertThat(inbound.collectNacks(500 * MS, nacks)).isZero();
        assertThat(inbound.stats().packets()).isEqualTo(3);
        assertThat(inbound.rtx().decoded()).isEqualTo(2);

        int len = leg.retransmit(1001, 60 * MS, tx, 0);
        RtpPacket rtx = new RtpPacket();
        assertThat(rtx.wrap(tx, 0, len)).isTrue();
        assertThat(rtx.ssrc()).isEqualTo(OUT_RTX_SSRC);
        assertThat(rtx.payloadType()).isEqualTo(101);
        assertThat((tx[rtx.payloadOffset()] & 0xFF) << 8 | tx[rtx.payloadOffset() + 1] & 0xFF).isEqualTo(1001);

        Map<String, Long> counters = new LinkedHashMap<>();
        for (PipelineStage stage : leg.stages()) {
            stage.appendCounters((name, value) -> counters.put(stage.name() + "." + name, value));
        }
        assertThat(counters).containsEntry("rewriter.forwarded", 3L).containsEntry("send_stats.packets", 3L)
                .containsEntry("retransmitter.rtx_sent", 1L);
    }

    @Test
    void aGapTheSubscriberAsksForBeforeUpstreamRepairIsNotAbandonedButOneNobodyRepairsIs() {
        inbound.setMediaSsrc(MEDIA_SSRC);
        leg.rewriter().switchTo(MEDIA_SSRC);
        route(media(1000, true), 0);
        route(media(1002, false), 1 * MS);
        int[] nacks = new int[8];
        inbound.collectNacks(20 * MS, nacks);

        assertThat(leg.retransmit(1001, 21 * MS, tx, 0)).as("the subscriber asks before the repair came").isZero();
        assertThat(leg.lastRefusal()).isEqualTo(Retransmitter.Refusal.NOT_HELD);
        assertThat(inbound.repairsLosses()).isTrue();
        assertThat(inbound.takeAbandonedLosses()).isFalse();

        // The publisher never answers: after its retries and age the number is abandoned, once.
        for (long t = 30 * MS; t <= 1_500 * MS; t += 20 * MS) {
            inbound.collectNacks(t, nacks);
        }
        assertThat(inbound.takeAbandonedLosses()).as("only a key frame repairs it now").isTrue();
        assertThat(inbound.takeAbandonedLosses()).isFalse();
        assertThat(new InboundStream(InboundStream.Config.of(Codec.AUDIO, 111, -1, false)).repairsLosses()).isFalse();
    }

    @Test
    void rtxPaddingAndRtxBeforeTheMediaSsrcAreDropped() {
        RtpPacket padding = TestPackets.wrap(TestPackets.rtp(PUBLISHER_RTX_SSRC, 97, 1, 0, 0, new byte[] {0}), 1);
        assertThat(inbound.onRtp(padding, 0)).isEqualTo(InboundStream.Result.DROP_NO_MEDIA_SSRC);
        inbound.setMediaSsrc(MEDIA_SSRC);
        assertThat(inbound.onRtp(padding, 0)).isEqualTo(InboundStream.Result.DROP_RTX_PADDING);
        assertThat(inbound.rtx().paddingOnly()).isEqualTo(1);
    }

    @Test
    void aStreamWithoutNackNeverRequestsAnything() {
        InboundStream audio = new InboundStream(InboundStream.Config.of(Codec.AUDIO, 111, -1, false));
        audio.onRtp(TestPackets.wrap(TestPackets.rtp(1, 111, 1, 0, 0, new byte[] {1}), 1), 0);
        audio.onRtp(TestPackets.wrap(TestPackets.rtp(1, 111, 5, 0, 0, new byte[] {1}), 1), 0);
        assertThat(audio.collectNacks(1_000 * MS, new int[8])).isZero();
        assertThat(audio.nack()).isNull();
    }
}
