package dev.convene.sfu.negotiation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.convene.sfu.TrackKind;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which video codec the SFU takes from a publisher's offer, and what subscribers get. */
class SfuCodecsTest {

    private static final List<String> FB = List.of("goog-remb", "transport-cc", "ccm fir", "nack", "nack pli");
    private static final Codec VP8 = new Codec(96, "VP8", 90000, 0, null, FB);
    private static final Codec VP9_P0 = new Codec(98, "VP9", 90000, 0, "profile-id=0", FB);
    private static final Codec VP9_P2 = new Codec(100, "VP9", 90000, 0, "profile-id=2", FB);
    private static final Codec H264 = new Codec(102, "H264", 90000, 0,
            "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f", FB);

    @Test
    void chromiumsDefaultOrderKeepsVp8() {
        assertThat(SfuCodecs.choose(video(VP8, VP9_P0, VP9_P2, H264))).hasValueSatisfying(c -> assertThat(c.is("VP8")).isTrue());
    }

    @Test
    void aClientThatPutsVp9FirstGetsVp9ProfileZeroUnderTheSfusPayloadTypeForSubscribers() {
        Codec chosen = SfuCodecs.choose(video(VP9_P0, VP9_P2, VP8)).orElseThrow();
        assertThat(chosen.is("VP9")).isTrue();
        assertThat(chosen.payloadType()).as("the publisher keeps its number").isEqualTo(98);
        assertThat(chosen.feedback()).doesNotContain("transport-cc");
        Codec out = SfuCodecs.forSubscribers(chosen);
        assertThat(out).isEqualTo(SfuCodecs.VP9);
        assertThat(out.fmtp()).isEqualTo("profile-id=0");
        assertThat(SfuCodecs.rtxPayloadType(out)).isEqualTo(99);
        assertThat(SfuCodecs.mediaCodec(out)).isEqualTo(dev.convene.media.core.codec.Codec.VP9);
    }

    @Test
    void vp9ProfileTwoIsNotForwardedButProfileZeroWithoutAnFmtpIs() {
        assertThat(SfuCodecs.choose(video(VP9_P2, H264))).hasValueSatisfying(c -> assertThat(c.is("H264")).isTrue());
        assertThat(SfuCodecs.choose(video(VP9_P2))).isEmpty();
        assertThat(SfuCodecs.choose(video(new Codec(98, "VP9", 90000, 0, null, FB))))
                .hasValueSatisfying(c -> assertThat(c.is("VP9")).isTrue());
    }

    private static OfferedMedia video(Codec... codecs) {
        return new OfferedMedia("1", "video", "UDP/TLS/RTP/SAVPF", List.of(), TrackKind.VIDEO, true, List.of(codecs),
                List.of(), List.of(), Map.of(), List.of());
    }
}
