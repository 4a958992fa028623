package dev.convene.media.routing.simulcast;

import static org.assertj.core.api.Assertions.assertThat;

import dev.convene.media.core.codec.Codec;
import dev.convene.media.core.codec.Vp8PayloadDescriptor;
import dev.convene.media.core.rtp.RtpPacket;
import dev.convene.media.routing.PayloadTypeMap;
import dev.convene.media.routing.RewriteResult;
import dev.convene.media.routing.RtpStreamRewriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A down-switch on congestion (ADR 0031) on a fake clock: frames of three packets from two VP8
 * layers, the leg on the high one. {@link RtpStreamRewriter#switchToCuttingCurrent} lets the high
 * layer finish its frame in hand and nothing after it, the low layer starts at its key frame, and
 * the subscriber sees one stream: sequence numbers without a gap, timestamps following the wall
 * clock, PictureIDs +1 — the decoder drops no frame it was sent a part of except one whose end
 * was lost upstream.
 */
class CongestionSwitchTest {

    private static final int BASE = 3;
    private static final int PT = 96;
    private static final long MS = 1_000_000L;
    private static final long LOW = 0x1111_0000L;
    private static final long HIGH = 0x3333_0000L;
    private static final int PACKETS_PER_FRAME = 3;

    private static final class Source {
        final long ssrc;
        int seq;
        long ts;
        int pictureId;

        Source(long ssrc, int seq, long ts, int pictureId) {
            this.ssrc = ssrc;
            this.seq = seq;
            this.ts = ts;
            this.pictureId = pictureId;
        }
    }

    private long now = 5_000 * MS;
    // Both near their wraps, so a forgotten unwrap shows.
    private final Source low = new Source(LOW, 65_534, 0xFFFF_FF00L, 0x7FFE);
    private final Source high = new Source(HIGH, 40_000, 77_777, 300);
    private final RtpStreamRewriter rewriter = new RtpStreamRewriter(0xABCDEFL, 90_000, PayloadTypeMap.of(PT, 100, Codec.VP8));
    private final RtpPacket packet = new RtpPacket();
    private final Vp8PayloadDescriptor vp8 = new Vp8PayloadDescriptor();
    /** What the subscriber received: [source, seq, ts, pictureId, marker, arrival ms]. */
    private final List<long[]> received = new ArrayList<>();
    private final List<RewriteResult> results = new ArrayList<>();

    private static byte[] packet(Source s, int index, boolean keyframe) {
        boolean first = index == 0;
        boolean marker = index == PACKETS_PER_FRAME - 1;
        byte[] vp8Header = !first ? new byte[] {0x33, 0x44}
                : keyframe ? new byte[] {0x10, 0x02, 0x00, (byte) 0x9D, 0x01, 0x2A, 0x40, 0x01, (byte) 0xB4, 0x00}
                : new byte[] {0x11, 0x02, 0x00};
        byte[] buf = new byte[BASE + 12 + 4 + vp8Header.length];
        buf[BASE] = (byte) 0x80;
        buf[BASE + 1] = (byte) (PT | (marker ? 0x80 : 0));
        buf[BASE + 2] = (byte) (s.seq >>> 8);
        buf[BASE + 3] = (byte) s.seq;
        for (int i = 0; i < 4; i++) {
            buf[BASE + 4 + i] = (byte) (s.ts >>> 24 - 8 * i);
            buf[BASE + 8 + i] = (byte) (s.ssrc >>> 24 - 8 * i);
        }
        int p = BASE + 12;
        buf[p] = (byte) (first ? 0x90 : 0x80); // X, S on the frame's first packet
        buf[p + 1] = (byte) 0x80; // I: 15-bit PictureID
        buf[p + 2] = (byte) (0x80 | s.pictureId >>> 8);
        buf[p + 3] = (byte) s.pictureId;
        System.arraycopy(vp8Header, 0, buf, p + 4, vp8Header.length);
        return buf;
    }

    /** Packet {@code index} of {@code s}'s current frame reaches the SFU, unless {@code lost}. */
    private RewriteResult send(Source s, int index, boolean keyframe, boolean lost) {
        byte[] buf = packet(s, index, keyframe);
        s.seq = s.seq + 1 & 0xFFFF;
        if (index == PACKETS_PER_FRAME - 1) {
            s.ts = s.ts + 3000 & 0xFFFF_FFFFL;
            s.pictureId = s.pictureId + 1 & 0x7FFF;
        }
        if (lost) {
            return null;
        }
        assertThat(packet.wrap(buf, BASE, buf.length - BASE)).isTrue();
        RewriteResult result = rewriter.rewrite(packet, now);
        results.add(result);
        if (result == RewriteResult.FORWARD) {
            assertThat(vp8.wrap(packet.buffer(), packet.payloadOffset(), packet.payloadLength())).isTrue();
            received.add(new long[] {s.ssrc, packet.sequenceNumber(), packet.timestamp(), vp8.pictureId(),
                    packet.marker() ? 1 : 0, now / MS});
        }
        return result;
    }

    private void frame(Source s, boolean keyframe) {
        for (int i = 0; i < PACKETS_PER_FRAME; i++) {
            send(s, i, keyframe, false);
        }
    }

    /** One 33 ms frame interval in which both layers send a whole frame. */
    private void interval(boolean lowKeyframe) {
        now += 33 * MS;
        frame(high, false);
        frame(low, lowKeyframe);
    }

    private void onHigh() {
        rewriter.switchTo(HIGH);
        now += 33 * MS;
        frame(high, true);
        frame(low, false);
        interval(false);
        assertThat(received).hasSize(2 * PACKETS_PER_FRAME).allMatch(r -> r[0] == HIGH);
    }

    private void assertOneStream() {
        for (int i = 1; i < received.size(); i++) {
            long[] a = received.get(i - 1);
            long[] b = received.get(i);
            assertThat(b[1] - a[1] & 0xFFFF).as("sequence step at %d", i).isEqualTo(1L);
            long tsStep = b[2] - a[2] & 0xFFFF_FFFFL;
            long pictureStep = b[3] - a[3] & 0x7FFF;
            if (a[4] == 0) {
                assertThat(tsStep).as("same frame at %d", i).isZero();
                assertThat(pictureStep).isZero();
            } else {
                // The next frame: about as much later as the wall clock says (a frame's 3000 ticks
                // within one source), never the same timestamp.
                assertThat(tsStep).as("timestamp step at %d", i).isBetween(1L, Math.max(3000L, (b[5] - a[5]) * 90 + 90));
                assertThat(pictureStep).as("PictureID step at %d", i).isEqualTo(1L);
            }
        }
    }

    @Test
    void theHighLayerFinishesItsFrameInHandAndNothingMoreThenTheLowLayerStartsAtItsKeyframe() {
        onHigh();
        now += 33 * MS;
        send(high, 0, false, false);
        send(high, 1, false, false);
        // The estimate falls mid-frame.
        rewriter.switchToCuttingCurrent(LOW);
        assertThat(rewriter.cuts()).isOne();
        send(high, 2, false, false);
        assertThat(received.getLast()[4]).as("the frame in hand is finished: its marker went").isOne();
        int sent = received.size();
        frame(low, false);
        assertThat(results.subList(results.size() - PACKETS_PER_FRAME, results.size()))
                .containsOnly(RewriteResult.DROP_WAITING_FOR_KEYFRAME);
        // The old layer's next frames go nowhere while the key frame is on its way.
        interval(false);
        interval(false);
        assertThat(received).hasSize(sent);
        assertThat(rewriter.currentSource()).isEqualTo(RtpStreamRewriter.NO_SOURCE);
        assertThat(rewriter.pendingSource()).isEqualTo(LOW);

        interval(true);
        interval(false);
        assertThat(received.subList(sent, received.size())).hasSize(2 * PACKETS_PER_FRAME).allMatch(r -> r[0] == LOW);
        assertThat(rewriter.currentSource()).isEqualTo(LOW);
        assertOneStream();
    }

    @Test
    void aCutBetweenFramesStopsTheOldLayerAtOnce() {
        onHigh();
        rewriter.switchToCuttingCurrent(LOW);
        assertThat(rewriter.currentSource()).isEqualTo(RtpStreamRewriter.NO_SOURCE);
        int sent = received.size();
        interval(false);
        assertThat(received).hasSize(sent);
        interval(true);
        assertThat(received.subList(sent, received.size())).allMatch(r -> r[0] == LOW).hasSize(PACKETS_PER_FRAME);
        assertOneStream();
    }

    @Test
    void aFrameWhoseEndWasLostUpstreamEndsTheCutAtTheNextFrame() {
        onHigh();
        now += 33 * MS;
        send(high, 0, false, false);
        rewriter.switchToCuttingCurrent(LOW);
        send(high, 1, false, true);
        send(high, 2, false, true);
        now += 33 * MS;
        assertThat(send(high, 0, false, false)).isEqualTo(RewriteResult.DROP_NOT_SELECTED);
        assertThat(rewriter.currentSource()).isEqualTo(RtpStreamRewriter.NO_SOURCE);
        send(high, 1, false, false);
        send(high, 2, false, false);
        frame(low, true);
        // No sequence gap: the subscriber discards the unfinished frame and decodes the key frame.
        long[] lastHigh = received.get(received.size() - PACKETS_PER_FRAME - 1);
        long[] firstLow = received.get(received.size() - PACKETS_PER_FRAME);
        assertThat(lastHigh[0]).isEqualTo(HIGH);
        assertThat(firstLow[0]).isEqualTo(LOW);
        assertThat(firstLow[1] - lastHigh[1] & 0xFFFF).isEqualTo(1L);
        assertThat(firstLow[3] - lastHigh[3] & 0x7FFF).isEqualTo(1L);
        assertThat(firstLow[2] - lastHigh[2] & 0xFFFF_FFFFL).isBetween(1L, (firstLow[5] - lastHigh[5]) * 90 + 90);
    }

    @Test
    void theEstimateRecoveringBeforeTheKeyframeKeepsTheOldLayer() {
        onHigh();
        now += 33 * MS;
        send(high, 0, false, false);
        rewriter.switchToCuttingCurrent(LOW);
        // Named again before the frame ended: the cut is off, the high layer flows on.
        rewriter.switchTo(HIGH);
        send(high, 1, false, false);
        send(high, 2, false, false);
        interval(false);
        assertThat(rewriter.currentSource()).isEqualTo(HIGH);
        assertThat(received.subList(received.size() - 2 * PACKETS_PER_FRAME, received.size())).allMatch(r -> r[0] == HIGH);
        assertOneStream();
    }

    @Test
    void theOldLayerNamedAgainAfterTheCutWaitsForItsOwnKeyframe() {
        onHigh();
        rewriter.switchToCuttingCurrent(LOW);
        rewriter.switchTo(HIGH);
        assertThat(rewriter.pendingSource()).isEqualTo(HIGH);
        int sent = received.size();
        interval(true); // a key frame of the low layer: no longer wanted
        assertThat(received).hasSize(sent);
        now += 33 * MS;
        frame(high, true);
        assertThat(received.subList(sent, received.size())).allMatch(r -> r[0] == HIGH).hasSize(PACKETS_PER_FRAME);
        assertOneStream();
    }
}
