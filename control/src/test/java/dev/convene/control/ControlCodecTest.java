package dev.convene.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.convene.sfu.PublishResult;
import dev.convene.sfu.SubscribedTrack;
import dev.convene.sfu.TrackDeclaration;
import dev.convene.sfu.TrackInfo;
import dev.convene.sfu.TrackKind;
import dev.convene.sfu.TrackSource;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class ControlCodecTest {

    private static final TrackInfo AUDIO = new TrackInfo("TR_a", "alice", "0", TrackKind.AUDIO, TrackSource.MICROPHONE, false);
    private static final TrackInfo SCREEN = new TrackInfo("TR_s", "alice", "2", TrackKind.AUDIO, TrackSource.SCREEN_AUDIO, true);

    private final ControlCodec codec = new ControlCodec();

    static Stream<ControlFrame> everyFrame() {
        return Stream.of(
                new ControlFrame.Join(1, "s1", "meeting-1", "alice"),
                new ControlFrame.DeclareTrack(2, "s1", new TrackDeclaration("0", TrackKind.VIDEO, TrackSource.CAMERA)),
                new ControlFrame.PublisherOffer(3, "s1", "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n"),
                new ControlFrame.SubscriberAnswer(4, "s1", "v=0\r\n"),
                new ControlFrame.Unpublish(5, "s1", "TR_a"),
                new ControlFrame.SetMuted(6, "s1", "TR_a", true),
                new ControlFrame.SetSubscribeSettings(11, "s1", "TR_a", new dev.convene.sfu.SubscribeSettings(320, 180, 15, false, 2)),
                new ControlFrame.PublishedTracks(7, "s1"),
                new ControlFrame.ReceiveNothing(12, "s1"),
                new ControlFrame.PlayerOffer(13, "s1", "v=0\r\n", "alice"),
                new ControlFrame.PlayerAnswer(13, "v=0\r\na=sendonly\r\n"),
                new ControlFrame.Close(8, "s1"),
                new ControlFrame.Ping(),
                new ControlFrame.Ok(1),
                new ControlFrame.Published(3, new PublishResult("v=0\r\n", List.of(AUDIO), List.of(SCREEN))),
                new ControlFrame.Tracks(7, List.of(AUDIO, SCREEN)),
                new ControlFrame.Error(3, ControlError.SDP_REJECTED, "no DTLS fingerprint"),
                new ControlFrame.Error(0, ControlError.MALFORMED_FRAME, "not JSON"),
                new ControlFrame.Hello("sfu-1"),
                new ControlFrame.Pong(),
                new ControlFrame.SubscriberOffer("s1", "v=0\r\n", List.of(new SubscribedTrack("0", AUDIO))),
                new ControlFrame.SetSubscribeSettings(12, "s1", "TR_b",
                        new dev.convene.sfu.SubscribeSettings(0, 0, 0, false, 1, true, 9)),
                new ControlFrame.ActiveSpeakers("s1", List.of("PA_b", "PA_a")),
                new ControlFrame.PublishLayers("s1", "TR_c", List.of(new dev.convene.sfu.PublishLayer(0, "q", true),
                        new dev.convene.sfu.PublishLayer(1, null, false))),
                new ControlFrame.MediaFailed("s1", "ICE consent lost"));
    }

    @ParameterizedTest
    @MethodSource("everyFrame")
    void everyFrameSurvivesTheWireWithItsVersion(ControlFrame frame) throws Exception {
        String text = codec.encode(frame);

        assertThat(new ObjectMapper().readTree(text).path("v").asInt()).isEqualTo(1);
        assertThat(codec.decode(text)).isEqualTo(frame);
    }

    @Test
    void wireNamesAreSnakeCaseAndLowerCase() throws Exception {
        JsonNode n = new ObjectMapper().readTree(codec.encode(
                new ControlFrame.SubscriberOffer("s1", "sdp", List.of(new SubscribedTrack("3", SCREEN)))));

        assertThat(n.path("type").asText()).isEqualTo("subscriber_offer");
        JsonNode track = n.path("tracks").path(0).path("track");
        assertThat(track.path("track_id").asText()).isEqualTo("TR_s");
        assertThat(track.path("participant_id").asText()).isEqualTo("alice");
        assertThat(track.path("kind").asText()).isEqualTo("audio");
        assertThat(track.path("source").asText()).isEqualTo("screen_audio");
    }

    @Test
    void badFramesNameWhatIsWrongAndKeepTheirId() {
        // 2^64 + 1, whose low 64 bits are 1 (ControlCodecFuzzTest checks that only v = 1 decodes).
        assertThatThrownBy(() -> codec.decode("{\"v\":18446744073709551617,\"type\":\"ping\"}"))
                .isInstanceOfSatisfying(FrameException.class, e -> assertThat(e.code()).isEqualTo(ControlError.UNSUPPORTED_VERSION));
        assertThatThrownBy(() -> codec.decode("{\"v\":1,\"type\":\"ping\"} trailing"))
                .isInstanceOfSatisfying(FrameException.class, e -> assertThat(e.code()).isEqualTo(ControlError.MALFORMED_FRAME));
        assertThatThrownBy(() -> codec.decode("{\"type\":\"ping\"}"))
                .isInstanceOfSatisfying(FrameException.class, e -> assertThat(e.code()).isEqualTo(ControlError.MALFORMED_FRAME))
                .hasMessageContaining("v");
        assertThatThrownBy(() -> codec.decode("{\"v\":1,\"type\":\"set_muted\",\"id\":4,\"session\":\"s\",\"track_id\":\"t\",\"muted\":\"yes\"}"))
                .isInstanceOfSatisfying(FrameException.class, e -> {
                    assertThat(e.requestId()).isEqualTo(4);
                    assertThat(e.getMessage()).contains("muted");
                });
        assertThatThrownBy(() -> codec.decode("{\"v\":1,\"type\":\"close\",\"id\":-3,\"session\":\"s\"}"))
                .isInstanceOfSatisfying(FrameException.class, e -> assertThat(e.getMessage()).contains("id"));
        assertThatThrownBy(() -> codec.decode("{\"v\":1,\"type\":\"close\",\"id\":3,\"session\":\"" + "x".repeat(129) + "\"}"))
                .isInstanceOfSatisfying(FrameException.class, e -> assertThat(e.getMessage()).contains("session"));
    }
}
