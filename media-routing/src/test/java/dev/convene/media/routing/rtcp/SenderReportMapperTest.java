package dev.convene.media.routing.rtcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.convene.media.core.codec.Codec;
import dev.convene.media.core.rtcp.NtpTimestamp;
import dev.convene.media.core.rtp.RtpPacket;
import dev.convene.media.routing.PayloadTypeMap;
import dev.convene.media.routing.RewriteResult;
import dev.convene.media.routing.RtpStreamRewriter;
import org.junit.jupiter.api.Test;

/**
 * SR rewriting (RFC 3550 §6.4.1): a subscriber that maps the RTP timestamps it receives to
 * wall time with our SRs must find each packet at the time the publisher captured it, through
 * the rewriter's offsets and source switches, for audio and video alike.
 */
class SenderReportMapperTest {
    private static final long MS = 1_000_000L;
    private static final long SEC = 1_000 * MS;
    private static final long AUDIO_A = 0xA0A0_0001L;
    private static final long VIDEO_A = 0xB0B0_0001L;
    private static final long VIDEO_B = 0xB0B0_0002L;
    private static final int BASE = 5;
    /** The publisher's wall clock reads this Unix time when our monotonic clock reads 0. */
    private static final long PUBLISHER_EPOCH = 1_796_000_000L * SEC;

    private final RtpStreamRewriter audio = new RtpStreamRewriter(0x1111L, 48_000,
            PayloadTypeMap.builder().map(111, 111, Codec.AUDIO).build());
    private final RtpStreamRewriter video = new RtpStreamRewriter(0x2222L, 90_000,
            PayloadTypeMap.builder().map(96, 96, Codec.VP8).build());
    private final RemoteClock publisher = new RemoteClock();
    private final LocalNtpClock ours = new LocalNtpClock(1_700_000_000L * SEC, 0);
    private final RtpPacket packet = new RtpPacket();

    /** Publisher NTP time of our monotonic instant {@code nanos}. */
    private static long publisherNtp(long nanos) {
        return NtpTimestamp.fromUnixNanos(PUBLISHER_EPOCH + nanos);
    }

    /** Forwards one packet (a VP8 keyframe for video) and returns its output timestamp. */
    private long forward(RtpStreamRewriter rewriter, long ssrc, boolean vp8, int seq, long ts, long arrivalNanos) {
        byte[] buf = new byte[BASE + 12 + 8 + 3];
        buf[BASE] = (byte) 0x80;
        buf[BASE + 1] = (byte) (vp8 ? 96 : 111);
        buf[BASE + 2] = (byte) (seq >>> 8);
        buf[BASE + 3] = (byte) seq;
        for (int i = 0; i < 4; i++) {
            buf[BASE + 4 + i] = (byte) (ts >>> 24 - 8 * i);
            buf[BASE + 8 + i] = (byte) (ssrc >>> 24 - 8 * i);
        }
        byte[] vp8Keyframe = {(byte) 0x10, 0x10, 0x02, 0x00, (byte) 0x9d, 0x01, 0x2a, 0};
        System.arraycopy(vp8Keyframe, 0, buf, BASE + 12, 8);
        assertThat(packet.wrap(buf, BASE, 20)).isTrue();
        assertThat(rewriter.rewrite(packet, arrivalNanos)).isEqualTo(RewriteResult.FORWARD);
        return packet.timestamp();
    }

    /**
     * Where a subscriber places an output timestamp on our clock, given the SR (our NTP at
     * {@code srNanos}, {@code srRtp}): what a receiver does for lip sync.
     */
    private static long subscriberTime(long outputTs, long srNanos, long srRtp, int clockRate) {
        int ticks = (int) (outputTs - srRtp);
        return srNanos + ticks * SEC / clockRate;
    }

    @Test
    void noMappingBeforeThePublishersFirstSenderReport() {
        video.switchTo(VIDEO_A);
        forward(video, VIDEO_A, true, 1, 1000, 0);
        assertThat(SenderReportMapper.outputRtpTimestamp(null, publisher, video, 90_000, SEC)).isEqualTo(-1);
    }

    @Test
    void mapsThePublishersSrThroughTheRewriterOffsetAndASourceSwitch() {
        video.switchTo(VIDEO_A);
        long tsA = 0xFFFF_0000L; // wraps soon after
        forward(video, VIDEO_A, true, 100, tsA, 0);
        // The publisher's SR for A: at its NTP time of our 2 s, A's clock read tsA + 2 s.
        publisher.onSenderReport(publisherNtp(2 * SEC), 2 * SEC + 15 * MS);
        SourceSenderReport srA = new SourceSenderReport(VIDEO_A, publisherNtp(2 * SEC), tsA + 2 * 90_000 & 0xFFFF_FFFFL);
        long now = 3 * SEC;
        long out = SenderReportMapper.outputRtpTimestamp(srA, publisher, video, 90_000, now);
        // The one-way delay of the SR (15 ms) cannot be known: the publisher's clock is placed that much late.
        assertThat(out).isEqualTo(tsA + 3 * 90_000 - 15 * 90 & 0xFFFF_FFFFL);

        // Switch to B (another clock base): its packets get a new offset.
        video.switchTo(VIDEO_B);
        long tsB = 123_456;
        long captureB = 4 * SEC;
        long outB = forward(video, VIDEO_B, true, 7, tsB, captureB + 10 * MS);
        assertThat(SenderReportMapper.outputRtpTimestamp(srA, publisher, video, 90_000, 5 * SEC))
                .as("A's SR no longer describes what the leg sends").isEqualTo(-1);

        SourceSenderReport srB = new SourceSenderReport(VIDEO_B, publisherNtp(4_500 * MS), tsB + 45_000);
        long srNanos = 5 * SEC;
        long srRtp = SenderReportMapper.outputRtpTimestamp(srB, publisher, video, 90_000, srNanos);
        // The subscriber places B's packet at its capture time (plus the same 15 ms as every stream of the publisher).
        assertThat(subscriberTime(outB, srNanos, srRtp, 90_000)).isCloseTo(captureB + 15 * MS, within(MS / 10));
    }

    @Test
    void audioAndVideoStayInLipSyncThroughDifferentOffsetsAndSrDelays() {
        // Audio started long before video, so their rewriter offsets differ; a video source switch adds another.
        audio.switchTo(AUDIO_A);
        video.switchTo(VIDEO_A);
        long audioBase = 3_000_000_000L;
        long videoBase = 17;
        forward(audio, AUDIO_A, false, 1, audioBase, 0);
        forward(video, VIDEO_A, true, 1, videoBase, 0);
        video.switchTo(VIDEO_B);
        forward(video, VIDEO_B, true, 500, 900_000, 6 * SEC);

        // Both captured at our 10 s: audio and video packets with the publisher's timestamps of that instant.
        long capture = 10 * SEC;
        long videoBBase = 900_000 - 6L * 90_000;
        long audioOut = forward(audio, AUDIO_A, false, 2, audioBase + 10L * 48_000, capture + 40 * MS);
        long videoOut = forward(video, VIDEO_B, true, 501, videoBBase + 10L * 90_000, capture + 5 * MS);

        // The publisher's SRs, from one NTP clock; the audio SR was 30 ms slower on the way.
        long audioSrAt = 8 * SEC;
        long videoSrAt = 8_300 * MS;
        publisher.onSenderReport(publisherNtp(audioSrAt), audioSrAt + 45 * MS);
        publisher.onSenderReport(publisherNtp(videoSrAt), videoSrAt + 15 * MS);
        SourceSenderReport audioSr = new SourceSenderReport(AUDIO_A, publisherNtp(audioSrAt), audioBase + 8L * 48_000);
        SourceSenderReport videoSr = new SourceSenderReport(VIDEO_B, publisherNtp(videoSrAt), videoBBase + 8_300L * 90);

        long tick = 11 * SEC;
        long audioSrRtp = SenderReportMapper.outputRtpTimestamp(audioSr, publisher, audio, 48_000, tick);
        long videoSrRtp = SenderReportMapper.outputRtpTimestamp(videoSr, publisher, video, 90_000, tick);
        long audioAt = subscriberTime(audioOut, tick, audioSrRtp, 48_000);
        long videoAt = subscriberTime(videoOut, tick, videoSrRtp, 90_000);
        assertThat(audioAt - videoAt).as("audio vs video, captured together").isCloseTo(0L, within(MS / 10));
        // Sanity of the NTP side: the SR we would write carries our clock's time of the tick.
        assertThat(NtpTimestamp.toUnixNanos(ours.ntp(tick))).isCloseTo(1_700_000_000L * SEC + tick, within(1L));
    }
}
