package dev.convene.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.convene.media.core.codec.Vp8PayloadDescriptor;
import dev.convene.media.core.rtp.RtpPacket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class FakeMediaSourceTest {

    private static final long AUDIO_SSRC = 0x11111111L;
    private static final long VIDEO_SSRC = 0x22222222L;

    private final List<byte[]> sent = new ArrayList<>();

    private boolean record(byte[] buf, int off, int len) {
        synchronized (sent) {
            sent.add(Arrays.copyOfRange(buf, off, off + len));
        }
        return true;
    }

    private List<RtpPacket> packets(long ssrc) {
        List<RtpPacket> out = new ArrayList<>();
        synchronized (sent) {
            for (byte[] b : sent) {
                RtpPacket p = new RtpPacket();
                if (p.wrap(b, 0, b.length) && p.ssrc() == ssrc) {
                    out.add(p);
                }
            }
        }
        return out;
    }

    @Test
    void sendsAudioEvery20MsAndStartsVideoWithAKeyframeTheSfuRecognises() {
        try (FakeMediaSource source = new FakeMediaSource(this::record, AUDIO_SSRC, VIDEO_SSRC)) {
            source.start(111, 96);
            await().atMost(Duration.ofSeconds(5)).until(() -> source.audioPacketsSent() >= 10 && source.videoFramesSent() >= 5);

            List<RtpPacket> audio = packets(AUDIO_SSRC);
            for (int i = 1; i < audio.size(); i++) {
                assertThat(audio.get(i).payloadType()).isEqualTo(111);
                assertThat(audio.get(i).sequenceNumber()).isEqualTo((audio.get(i - 1).sequenceNumber() + 1) & 0xFFFF);
                assertThat(audio.get(i).timestamp()).isEqualTo((audio.get(i - 1).timestamp() + 960) & 0xFFFF_FFFFL);
            }

            List<RtpPacket> video = packets(VIDEO_SSRC);
            Vp8PayloadDescriptor vp8 = new Vp8PayloadDescriptor();
            RtpPacket first = video.get(0);
            assertThat(first.payloadType()).isEqualTo(96);
            assertThat(vp8.wrap(first.buffer(), first.payloadOffset(), first.payloadLength())).isTrue();
            assertThat(vp8.isKeyframe()).isTrue();
            assertThat(vp8.hasPictureId()).isTrue();
            assertThat(vp8.keyframeWidth()).isEqualTo(FakeMediaSource.WIDTH);
            assertThat(vp8.keyframeHeight()).isEqualTo(FakeMediaSource.HEIGHT);
            long interframes = video.stream()
                    .filter(p -> vp8.wrap(p.buffer(), p.payloadOffset(), p.payloadLength()) && vp8.isStartOfPartition()
                            && !vp8.isKeyframe())
                    .count();
            assertThat(interframes).isPositive();
            assertThat(video).anySatisfy(p -> assertThat(p.marker()).isTrue());
        }
    }

    @Test
    void answersAKeyframeRequestAtOnceAndStopsWhenClosed() {
        FakeMediaSource source = new FakeMediaSource(this::record, AUDIO_SSRC, VIDEO_SSRC);
        source.start(111, 96);
        await().atMost(Duration.ofSeconds(5)).until(() -> source.videoFramesSent() >= 5);
        long keyframes = source.keyframesSent();
        source.requestKeyframe();
        // Well before the periodic keyframe (every 2 s) is due.
        await().atMost(Duration.ofMillis(500)).until(() -> source.keyframesSent() > keyframes);

        source.close();
        long after = source.audioPacketsSent() + source.videoPacketsSent();
        int recorded;
        synchronized (sent) {
            recorded = sent.size();
        }
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(1))
                .until(() -> source.audioPacketsSent() + source.videoPacketsSent() == after);
        synchronized (sent) {
            assertThat(sent).hasSize(recorded);
        }
    }

    @Test
    void sourcesOnSharedResourcesKeepTheirOwnPaceSendSilenceAsDtxAndStopAlone() {
        long otherAudio = 0x33333333L;
        long otherVideo = 0x44444444L;
        try (ClientResources shared = ClientResources.shared(1, Duration.ofMillis(100), true)) {
            FakeMediaSource silent = new FakeMediaSource(this::record, null, AUDIO_SSRC, VIDEO_SSRC, 320, 180, shared);
            FakeMediaSource loud = new FakeMediaSource(this::record, null, otherAudio, otherVideo, 320, 180, shared);
            silent.setAudioLevel(-127);
            loud.setAudioLevel(-10);
            silent.start(111, 96);
            loud.start(111, 96);
            await().atMost(Duration.ofSeconds(10)).until(() -> silent.audioPacketsSent() >= 3);
            long silentAudio = silent.audioPacketsSent();
            long loudAudio = loud.audioPacketsSent();
            // DTX: one packet per 400 ms while silent, 50 a second otherwise; 10 frames a second each.
            assertThat(loudAudio).isGreaterThan(silentAudio * 10);
            assertThat(loud.videoFramesSent()).isBetween(4L, loudAudio / 2);
            List<RtpPacket> dtx = packets(AUDIO_SSRC);
            for (int i = 1; i < dtx.size(); i++) {
                assertThat(dtx.get(i).sequenceNumber()).isEqualTo((dtx.get(i - 1).sequenceNumber() + 1) & 0xFFFF);
                assertThat(dtx.get(i).timestamp()).isEqualTo((dtx.get(i - 1).timestamp() + 20 * 960) & 0xFFFF_FFFFL);
            }

            silent.close();
            long stopped = silent.audioPacketsSent() + silent.videoPacketsSent();
            long before = loud.audioPacketsSent();
            await().atMost(Duration.ofSeconds(5)).until(() -> loud.audioPacketsSent() > before + 10);
            assertThat(silent.audioPacketsSent() + silent.videoPacketsSent()).isEqualTo(stopped);
            loud.close();
        }
    }
}
