package dev.convene.signaling.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The examples of docs/signaling.md, decoded and encoded. */
class ProtocolCodecTest {

    private final ProtocolCodec codec = new ProtocolCodec();

    @Test
    void decodesEveryClientExampleOfTheDoc() throws Exception {
        assertThat(codec.decode("{\"v\": 1, \"type\": \"join\", \"request_id\": \"1\"}"))
                .isEqualTo(new ClientMessage.Join("1"));
        assertThat(codec.decode("{\"v\": 1, \"type\": \"publish\", \"mid\": \"1\", \"kind\": \"video\", \"source\": \"camera\"}"))
                .isEqualTo(new ClientMessage.Publish(null, "1", "video", "camera"));
        assertThat(codec.decode("{\"v\": 1, \"type\": \"offer\", \"pc\": \"publisher\", \"sdp\": \"v=0\\r\\n\", \"request_id\": \"2\"}"))
                .isEqualTo(new ClientMessage.Offer("2", "publisher", "v=0\r\n"));
        assertThat(codec.decode("{\"v\": 1, \"type\": \"answer\", \"pc\": \"subscriber\", \"sdp\": \"v=0\\r\\n\"}"))
                .isEqualTo(new ClientMessage.Answer(null, "subscriber", "v=0\r\n", null));
        assertThat(codec.decode("{\"v\": 1, \"type\": \"answer\", \"pc\": \"subscriber\", \"sdp\": \"v=0\\r\\n\", \"offer_id\": \"OF_1\"}"))
                .isEqualTo(new ClientMessage.Answer(null, "subscriber", "v=0\r\n", "OF_1"));
        ClientMessage ice = codec.decode("{\"v\": 1, \"type\": \"ice-candidate\", \"pc\": \"publisher\", \"candidate\": "
                + "{\"candidate\": \"candidate:1 1 udp 2122260223 127.0.0.1 51000 typ host\", \"sdpMid\": \"0\", \"sdpMLineIndex\": 0}}");
        assertThat(ice).isInstanceOf(ClientMessage.IceCandidate.class);
        assertThat(codec.decode("{\"v\": 1, \"type\": \"ice-candidate\", \"pc\": \"publisher\", \"candidate\": null}"))
                .isInstanceOf(ClientMessage.IceCandidate.class);
        assertThat(codec.decode("{\"v\": 1, \"type\": \"unpublish\", \"track_id\": \"TR_a81f3c\"}"))
                .isEqualTo(new ClientMessage.Unpublish(null, "TR_a81f3c"));
        assertThat(codec.decode("{\"v\": 1, \"type\": \"mute\", \"track_id\": \"TR_a81f3c\", \"muted\": true}"))
                .isEqualTo(new ClientMessage.Mute(null, "TR_a81f3c", true));
        ClientMessage settings = codec.decode("{\"v\": 1, \"type\": \"subscribe-settings\", \"track_id\": \"TR_a81f3c\","
                + " \"max_width\": 320, \"max_height\": 180, \"paused\": false}");
        assertThat(settings).isInstanceOfSatisfying(ClientMessage.SubscribeSettings.class,
                s -> assertThat(s.settings()).isEqualTo(new dev.convene.sfu.SubscribeSettings(320, 180, 0, false, 1)));
        // Protocol additions of ADR 0022: a pin per track, last_n per subscriber (then track_id may be left out).
        assertThat(codec.decode("{\"v\": 1, \"type\": \"subscribe-settings\", \"track_id\": \"TR_a\", \"pinned\": true}"))
                .isInstanceOfSatisfying(ClientMessage.SubscribeSettings.class, s -> assertThat(s.settings())
                        .isEqualTo(new dev.convene.sfu.SubscribeSettings(0, 0, 0, false, 1, true, 0)));
        assertThat(codec.decode("{\"v\": 1, \"type\": \"subscribe-settings\", \"last_n\": 9}"))
                .isInstanceOfSatisfying(ClientMessage.SubscribeSettings.class, s -> assertThat(s.settings().lastN()).isEqualTo(9));
        assertThat(codec.decode("{\"v\": 1, \"type\": \"chat\", \"text\": \"hello\", \"request_id\": \"7\"}"))
                .isEqualTo(new ClientMessage.Chat("7", "hello"));
        assertThat(codec.decode("{\"v\": 1, \"type\": \"ping\"}")).isEqualTo(new ClientMessage.Ping(null));
        assertThat(codec.decode("{\"v\": 1, \"type\": \"leave\"}")).isEqualTo(new ClientMessage.Leave(null));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "not json                                                         | malformed_message",
        "'\"just a string\"'                                              | malformed_message",
        "[]                                                               | malformed_message",
        "{\"type\":\"ping\"}                                              | malformed_message",
        "{\"v\":\"1\",\"type\":\"ping\"}                                  | malformed_message",
        "{\"v\":2,\"type\":\"ping\"}                                      | unsupported_version",
        "{\"v\":18446744073709551617,\"type\":\"ping\"}                   | unsupported_version",
        "{\"v\":1}                                                        | malformed_message",
        "{\"v\":1,\"type\":7}                                             | malformed_message",
        "{\"v\":1,\"type\":\"shout\"}                                     | unknown_type",
        "{\"v\":1,\"type\":\"mute\",\"track_id\":\"T\",\"muted\":\"true\"} | malformed_message",
        "{\"v\":1,\"type\":\"mute\",\"track_id\":\"T\",\"muted\":1}       | malformed_message",
        "{\"v\":1,\"type\":\"mute\",\"track_id\":\"T\"}                   | malformed_message",
        "{\"v\":1,\"type\":\"chat\",\"text\":42}                          | malformed_message",
        "{\"v\":1,\"type\":\"subscribe-settings\",\"max_width\":320}     | malformed_message",
        "{\"v\":1,\"type\":\"subscribe-settings\",\"track_id\":\"T\",\"max_width\":-1}    | malformed_message",
        "{\"v\":1,\"type\":\"subscribe-settings\",\"track_id\":\"T\",\"max_width\":320.5} | malformed_message",
        "{\"v\":1,\"type\":\"subscribe-settings\",\"track_id\":\"T\",\"max_width\":\"320\"} | malformed_message",
        "{\"v\":1,\"type\":\"subscribe-settings\",\"track_id\":\"T\",\"max_width\":1e20}  | malformed_message",
        "{\"v\":1,\"type\":\"subscribe-settings\",\"track_id\":\"T\",\"priority\":0}     | malformed_message",
        "{\"v\":1,\"type\":\"subscribe-settings\",\"last_n\":0}                | malformed_message",
        "{\"v\":1,\"type\":\"subscribe-settings\",\"last_n\":5000}             | malformed_message",
        "{\"v\":1,\"type\":\"chat\",\"text\":{}}                          | malformed_message",
        "{\"v\":1,\"type\":\"publish\",\"mid\":\"1\",\"kind\":\"smell\",\"source\":\"camera\"} | malformed_message",
        "{\"v\":1,\"type\":\"offer\",\"pc\":\"subscriber\",\"sdp\":\"v=0\"} | malformed_message",
        "{\"v\":1,\"type\":\"ping\",\"request_id\":5}                     | malformed_message",
        "{\"v\":1,\"type\":\"ping\"} trailing                             | malformed_message",
    })
    void refusesBadFramesWithTheRightCode(String frame, String code) {
        assertThatThrownBy(() -> codec.decode(frame))
                .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.code().wire()).isEqualTo(code));
    }

    @Test
    void keepsTheRequestIdOfAFrameItRefuses() {
        assertThatThrownBy(() -> codec.decode("{\"v\":1,\"type\":\"shout\",\"request_id\":\"9\"}"))
                .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.requestId()).isEqualTo("9"));
    }

    @Test
    void encodesVersionAndTypeFirstAndOmitsNulls() throws Exception {
        String json = codec.encode(new ServerMessage.Chat("CM_1", "PA_1", "Grace", "hello", "2026-11-25T10:00:03Z", null));
        assertThat(json).startsWith("{\"v\":1,\"type\":\"chat\",");
        assertThat(json).doesNotContain("request_id");
        JsonNode err = new ObjectMapper().readTree(codec.encode(new ServerMessage.Error(ErrorCode.UNKNOWN_TYPE, "Unknown message type 'shout'", "9")));
        assertThat(err.get("type").asText()).isEqualTo("error");
        assertThat(err.get("code").asText()).isEqualTo("unknown_type");
        assertThat(err.get("request_id").asText()).isEqualTo("9");
        JsonNode pong = new ObjectMapper().readTree(codec.encode(new ServerMessage.Pong(null)));
        assertThat(pong.size()).isEqualTo(2);
    }

    @Test
    void encodesActiveSpeakersAndLayersAsTheDocShowsThem() {
        assertThat(codec.encode(new ServerMessage.ActiveSpeakers(List.of("PA_7", "PA_2"))))
                .isEqualTo("{\"v\":1,\"type\":\"active-speakers\",\"speakers\":[\"PA_7\",\"PA_2\"]}");
        assertThat(codec.encode(new ServerMessage.Layers("TR_a", List.of(new ServerMessage.LayerView(0, "q", true),
                new ServerMessage.LayerView(1, "h", false), new ServerMessage.LayerView(2, null, false)))))
                .isEqualTo("{\"v\":1,\"type\":\"layers\",\"track_id\":\"TR_a\",\"layers\":[{\"index\":0,\"rid\":\"q\",\"active\":true},"
                        + "{\"index\":1,\"rid\":\"h\",\"active\":false},{\"index\":2,\"active\":false}]}");
    }

    @Test
    void encodesJoinedAsTheDocShowsIt() throws Exception {
        String json = codec.encode(new ServerMessage.Joined("1", "M", "PA_2",
                List.of(new ServerMessage.ParticipantView("PA_7", "Grace",
                        List.of(new ServerMessage.TrackView("TR_a", "video", "camera", false)))),
                List.of(new ServerMessage.ChatView("CM_1", "PA_7", "Grace", "hi", "2026-11-25T10:00:00Z")), "R"));
        JsonNode n = new ObjectMapper().readTree(json);
        assertThat(n.get("type").asText()).isEqualTo("joined");
        assertThat(n.at("/participants/0/tracks/0/track_id").asText()).isEqualTo("TR_a");
        assertThat(n.at("/participants/0/display_name").asText()).isEqualTo("Grace");
        assertThat(n.at("/chat/0/message_id").asText()).isEqualTo("CM_1");
        assertThat(n.get("resume_token").asText()).isEqualTo("R");
    }
}
