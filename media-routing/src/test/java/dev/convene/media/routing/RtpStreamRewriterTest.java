package dev.convene.media.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.convene.media.core.codec.Codec;
import dev.convene.media.core.codec.Vp8PayloadDescriptor;
import dev.convene.media.core.rtp.RtpPacket;
import org.junit.jupiter.api.Test;

class RtpStreamRewriterTest {
    private static final long OUT_SSRC = 0xC0FFEE01L;
    private static final long A = 0x0A0A0A0AL;
    private static final long B = 0x0B0B0B0BL;
    private static final int VP8_IN = 96;
    private static final int VP8_OUT = 100;
    private static final long MS = 1_000_000L;
    /** Where each test packet sits in its buffer, so a forgotten base offset shows. */
    private static final int BASE = TestPackets.BASE;

    private final RtpStreamRewriter video = new RtpStreamRewriter(OUT_SSRC, 90_000,
            PayloadTypeMap.builder().map(VP8_IN, VP8_OUT, Codec.VP8).map(102, 104, Codec.H264).build());
    private final RtpPacket packet = new RtpPacket();
    private final Vp8PayloadDescriptor vp8 = new Vp8PayloadDescriptor();

    // ---- packet construction (RFC 3550 §5.1 header, RFC 7741 §4.2 descriptor) ----

    private static byte[] rtp(long ssrc, int pt, int seq, long ts, byte... payload) {
        return TestPackets.rtp(ssrc, pt, seq, ts, 3, payload);
    }

    /** VP8 descriptor X=1 S=1 PID=0, I=1 L=1, 15-bit PictureID, TL0PICIDX, then the payload header byte. */
    private static byte[] vp8Payload(boolean keyframe, int pictureId, int tl0PicIdx) {
        return new byte[] {(byte) 0x90, (byte) 0xC0, (byte) (0x80 | pictureId >>> 8), (byte) pictureId,
                (byte) tl0PicIdx, (byte) (keyframe ? 0x10 : 0x11), 0x02, 0x00};
    }

    /** The same with a 7-bit PictureID (M=0). */
    private static byte[] vp8ShortPayload(boolean keyframe, int pictureId) {
        return new byte[] {(byte) 0x90, (byte) 0x80, (byte) (pictureId & 0x7F), (byte) (keyframe ? 0x10 : 0x11), 0x02};
    }

    private RewriteResult send(RtpStreamRewriter rewriter, byte[] buf, long arrivalNanos) {
        assertThat(packet.wrap(buf, BASE, buf.length - BASE - 3)).isTrue();
        return rewriter.rewrite(packet, arrivalNanos);
    }

    private RewriteResult sendVp8(long ssrc, int seq, long ts, boolean keyframe, int pictureId, int tl0, long arrivalNanos) {
        return send(video, rtp(ssrc, VP8_IN, seq, ts, vp8Payload(keyframe, pictureId, tl0)), arrivalNanos);
    }

    private int outPictureId() {
        assertThat(vp8.wrap(packet.buffer(), packet.payloadOffset(), packet.payloadLength())).isTrue();
        return vp8.pictureId();
    }

    private int outTl0() {
        assertThat(vp8.wrap(packet.buffer(), packet.payloadOffset(), packet.payloadLength())).isTrue();
        return vp8.tl0PicIdx();
    }

    // ---- tests ----

    @Test
    void forwardsNothingUntilASourceIsChosenAndItsKeyframeArrives() {
        assertThat(sendVp8(A, 10, 1000, true, 1, 1, 0)).isEqualTo(RewriteResult.DROP_NOT_SELECTED);
        video.switchTo(A);
        assertThat(video.isWaitingForSwitchPoint()).isTrue();
        assertThat(sendVp8(A, 11, 1000, false, 1, 1, 0)).isEqualTo(RewriteResult.DROP_WAITING_FOR_KEYFRAME);
        assertThat(sendVp8(A, 12, 4000, true, 2, 2, 0)).isEqualTo(RewriteResult.FORWARD);

        assertThat(video.currentSource()).isEqualTo(A);
        assertThat(video.isWaitingForSwitchPoint()).isFalse();
        assertThat(packet.ssrc()).isEqualTo(OUT_SSRC);
        assertThat(packet.payloadType()).isEqualTo(VP8_OUT);
        // The first source keeps its own numbering: offsets start at zero.
        assertThat(packet.sequenceNumber()).isEqualTo(12);
        assertThat(packet.timestamp()).isEqualTo(4000);
        assertThat(outPictureId()).isEqualTo(2);
        assertThat(sendVp8(A, 13, 4000, false, 2, 2, 0)).isEqualTo(RewriteResult.FORWARD);
        assertThat(video.forwardedPackets()).isEqualTo(2);
        assertThat(video.droppedPackets()).isEqualTo(2);
    }

    @Test
    void switchingSourcesKeepsSequenceTimestampAndPictureIdsContinuous() {
        video.switchTo(A);
        long now = 0;
        for (int i = 0; i < 10; i++, now += 33 * MS) {
            assertThat(sendVp8(A, 1000 + i, 50_000 + 3000L * i, i == 0, 300 + i, 20 + i, now)).isEqualTo(RewriteResult.FORWARD);
        }
        long lastAt = now - 33 * MS;
        long lastTs = 50_000 + 3000L * 9;
        assertThat(packet.sequenceNumber()).isEqualTo(1009);

        video.switchTo(B);
        // B's delta frames are dropped while A keeps flowing.
        assertThat(sendVp8(B, 40_000, 7_000_000, false, 9000, 200, lastAt + 5 * MS)).isEqualTo(RewriteResult.DROP_WAITING_FOR_KEYFRAME);
        assertThat(sendVp8(A, 1010, lastTs + 3000, false, 310, 30, lastAt + 10 * MS)).isEqualTo(RewriteResult.FORWARD);
        lastAt += 10 * MS;
        lastTs += 3000;

        // B's key frame arrives 40 ms after A's last packet: its timestamp continues 40 ms × 90 kHz later.
        assertThat(sendVp8(B, 40_001, 7_003_000, true, 9001, 201, lastAt + 40 * MS)).isEqualTo(RewriteResult.FORWARD);
        assertThat(video.currentSource()).isEqualTo(B);
        assertThat(packet.ssrc()).isEqualTo(OUT_SSRC);
        assertThat(packet.sequenceNumber()).isEqualTo(1011);
        assertThat(packet.timestamp()).isEqualTo(lastTs + 3600);
        assertThat(outPictureId()).isEqualTo(311);
        assertThat(outTl0()).isEqualTo(31);

        // B continues with its own spacing.
        assertThat(sendVp8(B, 40_002, 7_006_000, false, 9002, 202, lastAt + 73 * MS)).isEqualTo(RewriteResult.FORWARD);
        assertThat(packet.sequenceNumber()).isEqualTo(1012);
        assertThat(packet.timestamp()).isEqualTo(lastTs + 6600);
        assertThat(outPictureId()).isEqualTo(312);
        assertThat(outTl0()).isEqualTo(32);

        // A's late packet and B's packet from before its key frame would collide: both dropped.
        assertThat(sendVp8(A, 1011, lastTs + 6000, false, 311, 31, lastAt + 80 * MS)).isEqualTo(RewriteResult.DROP_NOT_SELECTED);
        assertThat(sendVp8(B, 40_000, 7_000_000, false, 9000, 200, lastAt + 81 * MS)).isEqualTo(RewriteResult.DROP_TOO_OLD);
        assertThat(video.sourceSwitches()).isEqualTo(2);
        // What was lost before B's key frame (output 1011) belongs to A's stream: no repair is of use.
        assertThat(video.switchPointSequenceNumber()).isEqualTo(1011);
        assertThat(video.beforeSwitchPoint(1010)).isTrue();
        assertThat(video.beforeSwitchPoint(1011)).isFalse();
        assertThat(video.beforeSwitchPoint(1012)).isFalse();
    }

    @Test
    void theSwitchPointComparesAcrossTheSequenceWrap() {
        assertThat(video.switchPointSequenceNumber()).as("no source yet").isEqualTo(-1);
        assertThat(video.beforeSwitchPoint(5)).isFalse();
        video.switchTo(A);
        assertThat(sendVp8(A, 2, 9000, true, 1, 0, 0)).isEqualTo(RewriteResult.FORWARD);
        assertThat(video.switchPointSequenceNumber()).isEqualTo(2);
        assertThat(video.beforeSwitchPoint(0xFFFF)).as("one before 0 across the wrap").isTrue();
        assertThat(video.beforeSwitchPoint(1)).isTrue();
        assertThat(video.beforeSwitchPoint(3)).isFalse();
        assertThat(video.beforeSwitchPoint(2 + 0x7FFF)).as("up to half the range on is ahead, not behind").isFalse();
        assertThat(video.beforeSwitchPoint(2 + 0x8001 & 0xFFFF)).as("further on wraps to behind").isTrue();
    }

    @Test
    void reorderingAndGapsInsideASourceArePreserved() {
        video.switchTo(A);
        sendVp8(A, 500, 9000, true, 1, 0, 0);
        int offset = 0; // first source: output = input
        int[] order = {502, 501, 505, 503};
        for (int seq : order) {
            assertThat(sendVp8(A, seq, 9000, false, 1, 0, MS)).isEqualTo(RewriteResult.FORWARD);
            assertThat(packet.sequenceNumber()).isEqualTo(seq + offset);
        }
        assertThat(video.highestOutputSequenceNumber()).isEqualTo(505);

        // After a switch the offset changes but the pattern survives.
        video.switchTo(B);
        sendVp8(B, 7, 100, true, 50, 0, 10 * MS);
        assertThat(packet.sequenceNumber()).isEqualTo(506);
        assertThat(sendVp8(B, 10, 100, false, 50, 0, 11 * MS)).isEqualTo(RewriteResult.FORWARD);
        assertThat(packet.sequenceNumber()).isEqualTo(509);
        assertThat(sendVp8(B, 8, 100, false, 50, 0, 12 * MS)).isEqualTo(RewriteResult.FORWARD);
        assertThat(packet.sequenceNumber()).isEqualTo(507);
        assertThat(outPictureId()).isEqualTo(2); // one past A's PictureID 1
    }

    @Test
    void packetsTooFarBehindAreDropped() {
        video.switchTo(A);
        sendVp8(A, 100, 0, true, 1, 0, 0);
        sendVp8(A, 100 + RtpStreamRewriter.MAX_REORDER_DISTANCE + 10, 0, false, 1, 0, 0);
        assertThat(sendVp8(A, 105, 0, false, 1, 0, 0)).isEqualTo(RewriteResult.DROP_TOO_OLD);
        assertThat(sendVp8(A, 99, 0, false, 1, 0, 0)).isEqualTo(RewriteResult.DROP_TOO_OLD);
    }

    @Test
    void sequenceAndTimestampWrapsStayContinuous() {
        video.switchTo(A);
        long ts = 0xFFFF_F000L;
        int seq = 65533;
        int expectedSeq = 65533;
        for (int i = 0; i < 6; i++) {
            assertThat(sendVp8(A, seq & 0xFFFF, ts & 0xFFFFFFFFL, i == 0, 0x7FFE + i, 0xFE + i, i * 33 * MS))
                    .isEqualTo(RewriteResult.FORWARD);
            assertThat(packet.sequenceNumber()).isEqualTo(expectedSeq & 0xFFFF);
            assertThat(packet.timestamp()).isEqualTo(ts & 0xFFFFFFFFL);
            assertThat(outPictureId()).isEqualTo(0x7FFE + i & 0x7FFF);
            assertThat(outTl0()).isEqualTo(0xFE + i & 0xFF);
            seq++;
            expectedSeq++;
            ts += 3000;
        }
        // Late packet from before the wrap keeps its place.
        assertThat(sendVp8(A, 65535, 0xFFFF_F000L + 6000, false, 0, 0, 200 * MS)).isEqualTo(RewriteResult.FORWARD);
        assertThat(packet.sequenceNumber()).isEqualTo(65535);
        assertThat(video.highestOutputSequenceNumber()).isEqualTo(65538);

        // Switch to a source far from A's numbers: output continues past the wrap.
        video.switchTo(B);
        assertThat(sendVp8(B, 12_345, 77, true, 4, 9, 5 * 33 * MS + 33 * MS)).isEqualTo(RewriteResult.FORWARD);
        assertThat(packet.sequenceNumber()).isEqualTo(3);
        assertThat(packet.timestamp()).isEqualTo(0xFFFF_F000L + 5 * 3000 + 2970 & 0xFFFFFFFFL);
        assertThat(outPictureId()).isEqualTo(4);
        assertThat(outTl0()).isEqualTo(4);
    }

    @Test
    void sevenBitPictureIdsContinueModulo128() {
        video.switchTo(A);
        send(video, rtp(A, VP8_IN, 1, 0, vp8ShortPayload(true, 126)), 0);
        send(video, rtp(A, VP8_IN, 2, 3000, vp8ShortPayload(false, 127)), 33 * MS);
        assertThat(outPictureId()).isEqualTo(127);
        video.switchTo(B);
        send(video, rtp(B, VP8_IN, 900, 1, vp8ShortPayload(true, 40)), 66 * MS);
        assertThat(outPictureId()).isZero();
        send(video, rtp(B, VP8_IN, 901, 3001, vp8ShortPayload(false, 41)), 99 * MS);
        assertThat(outPictureId()).isEqualTo(1);
        assertThat(vp8.hasLongPictureId()).isFalse();
    }

    @Test
    void audioSwitchesAtAnyPacket() {
        RtpStreamRewriter audio = new RtpStreamRewriter(OUT_SSRC, 48_000, PayloadTypeMap.of(111, 109, Codec.AUDIO));
        audio.switchTo(A);
        assertThat(send(audio, rtp(A, 111, 20, 960, (byte) 1), 0)).isEqualTo(RewriteResult.FORWARD);
        assertThat(send(audio, rtp(A, 111, 21, 1920, (byte) 1), 20 * MS)).isEqualTo(RewriteResult.FORWARD);
        assertThat(packet.payloadType()).isEqualTo(109);
        // Publisher reconnected with a new SSRC 500 ms later.
        audio.switchTo(B);
        assertThat(send(audio, rtp(B, 111, 7, 123_456, (byte) 1), 520 * MS)).isEqualTo(RewriteResult.FORWARD);
        assertThat(packet.sequenceNumber()).isEqualTo(22);
        assertThat(packet.timestamp()).isEqualTo(1920 + 24_000);
        assertThat(packet.ssrc()).isEqualTo(OUT_SSRC);
        assertThat(send(audio, rtp(B, 111, 8, 124_416, (byte) 1), 540 * MS)).isEqualTo(RewriteResult.FORWARD);
        assertThat(packet.timestamp()).isEqualTo(1920 + 24_000 + 960);
    }

    @Test
    void pauseThenResumeRebasesTheSameSource() {
        video.switchTo(A);
        sendVp8(A, 10, 90_000, true, 5, 1, 0);
        sendVp8(A, 11, 93_000, false, 6, 1, 33 * MS);
        video.pause();
        assertThat(sendVp8(A, 12, 96_000, false, 7, 1, 66 * MS)).isEqualTo(RewriteResult.DROP_NOT_SELECTED);
        video.switchTo(A);
        assertThat(sendVp8(A, 300, 2_000_000, false, 200, 50, 2 * 1000 * MS)).isEqualTo(RewriteResult.DROP_WAITING_FOR_KEYFRAME);
        assertThat(sendVp8(A, 301, 2_000_000, true, 201, 51, 2 * 1000 * MS + 33 * MS)).isEqualTo(RewriteResult.FORWARD);
        // Continues from sequence 11 and PictureID 6, timestamp advanced by the 2 s of wall clock.
        assertThat(packet.sequenceNumber()).isEqualTo(12);
        assertThat(packet.timestamp()).isEqualTo(93_000 + 90_000 * 2);
        assertThat(outPictureId()).isEqualTo(7);
        assertThat(outTl0()).isEqualTo(2);
    }

    @Test
    void switchingBackToTheCurrentSourceCancelsAPendingSwitch() {
        video.switchTo(A);
        sendVp8(A, 10, 0, true, 1, 1, 0);
        video.switchTo(B);
        assertThat(video.pendingSource()).isEqualTo(B);
        video.switchTo(A);
        assertThat(video.pendingSource()).isEqualTo(RtpStreamRewriter.NO_SOURCE);
        assertThat(sendVp8(B, 1, 0, true, 1, 1, MS)).isEqualTo(RewriteResult.DROP_NOT_SELECTED);
        assertThat(sendVp8(A, 11, 0, false, 1, 1, MS)).isEqualTo(RewriteResult.FORWARD);
    }

    @Test
    void unknownPayloadTypeIsDroppedAndPacketLeftUntouched() {
        video.switchTo(A);
        sendVp8(A, 10, 0, true, 1, 1, 0);
        byte[] buf = rtp(A, 97, 11, 0, (byte) 1, (byte) 2);
        byte[] before = buf.clone();
        assertThat(send(video, buf, MS)).isEqualTo(RewriteResult.DROP_UNKNOWN_PAYLOAD_TYPE);
        assertThat(buf).isEqualTo(before);
    }

    @Test
    void h264SwitchWaitsForStapAKeyframe() {
        video.switchTo(A);
        byte[] sliceOnly = {0x41, (byte) 0x9A, 0x00};
        byte[] stapA = {0x78, 0x00, 0x02, 0x67, 0x42, 0x00, 0x02, 0x68, (byte) 0xCE, 0x00, 0x02, 0x65, (byte) 0x88};
        byte[] fuAMiddle = {0x7C, 0x05, 0x00};
        assertThat(send(video, rtp(A, 102, 1, 0, sliceOnly), 0)).isEqualTo(RewriteResult.DROP_WAITING_FOR_KEYFRAME);
        assertThat(send(video, rtp(A, 102, 2, 0, fuAMiddle), 0)).isEqualTo(RewriteResult.DROP_WAITING_FOR_KEYFRAME);
        assertThat(send(video, rtp(A, 102, 3, 0, stapA), 0)).isEqualTo(RewriteResult.FORWARD);
        assertThat(packet.payloadType()).isEqualTo(104);
        assertThat(send(video, rtp(A, 102, 4, 0, sliceOnly), 0)).isEqualTo(RewriteResult.FORWARD);
    }

    @Test
    void rejectsInvalidConfiguration() {
        PayloadTypeMap map = PayloadTypeMap.of(96, 96, Codec.VP8);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new RtpStreamRewriter(-1, 90_000, map))
                .isInstanceOf(IllegalArgumentException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new RtpStreamRewriter(1, 0, map))
                .isInstanceOf(IllegalArgumentException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> PayloadTypeMap.of(128, 96, Codec.VP8))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(map.outputPayloadType(97)).isEqualTo(-1);
        assertThat(map.codec(-3)).isNull();
    }
}
