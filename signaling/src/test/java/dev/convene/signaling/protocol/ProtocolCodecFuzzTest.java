package dev.convene.signaling.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.Map;

/**
 * Any text frame a browser may send on {@code /v1/signal} (docs/signaling.md): it decodes to a
 * well-formed {@link ClientMessage} or fails with a {@link ProtocolException} whose code is one
 * the protocol documents for bad frames, never anything else. A decoded message written back as
 * JSON decodes to the same message, and its request id is the frame's.
 */
class ProtocolCodecFuzzTest {
    /** Strict about trailing content, as the codec must be. */
    private static final ObjectMapper PLAIN = new ObjectMapper()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final Map<Class<?>, String> TYPES = Map.ofEntries(
            Map.entry(ClientMessage.Join.class, "join"),
            Map.entry(ClientMessage.Publish.class, "publish"),
            Map.entry(ClientMessage.Offer.class, "offer"),
            Map.entry(ClientMessage.Answer.class, "answer"),
            Map.entry(ClientMessage.IceCandidate.class, "ice-candidate"),
            Map.entry(ClientMessage.Unpublish.class, "unpublish"),
            Map.entry(ClientMessage.Mute.class, "mute"),
            Map.entry(ClientMessage.SubscribeSettings.class, "subscribe-settings"),
            Map.entry(ClientMessage.Chat.class, "chat"),
            Map.entry(ClientMessage.Ping.class, "ping"),
            Map.entry(ClientMessage.Leave.class, "leave"));

    private final ProtocolCodec codec = new ProtocolCodec();

    @FuzzTest
    void decode(byte[] data) throws Exception {
        String text = new String(data, StandardCharsets.UTF_8);
        ClientMessage message;
        try {
            message = codec.decode(text);
        } catch (ProtocolException e) {
            assertThat(e.code()).isIn(EnumSet.of(ErrorCode.MALFORMED_MESSAGE, ErrorCode.UNKNOWN_TYPE,
                    ErrorCode.UNSUPPORTED_VERSION));
            assertThat(e.getMessage()).isNotBlank();
            return;
        } catch (RuntimeException e) {
            fail("ProtocolCodec.decode threw " + e + " instead of ProtocolException", e);
            return;
        }
        assertThat(message.problem()).isNull();
        JsonNode frame = PLAIN.readTree(text);
        assertThat(frame.get("v").bigIntegerValue()).as("only version 1 is accepted").isEqualTo(java.math.BigInteger.ONE);
        JsonNode requestId = frame.get("request_id");
        assertThat(message.requestId()).isEqualTo(requestId == null || requestId.isNull() ? null : requestId.textValue());
        assertThat(frame.get("type").textValue()).isEqualTo(TYPES.get(message.getClass()));

        ObjectNode again = PLAIN.createObjectNode().put("v", ProtocolCodec.VERSION).put("type", TYPES.get(message.getClass()));
        again.setAll((ObjectNode) PLAIN.valueToTree(message));
        assertThat(nullsAsAbsent(codec.decode(PLAIN.writeValueAsString(again)))).as("decode(write(message))")
                .isEqualTo(nullsAsAbsent(message));
    }

    /**
     * An absent {@code candidate} reads as Java null, an explicit {@code null} as a NullNode, and
     * writing turns the first into the second (crash-ad0575b5… in the corpus); both mean "none".
     */
    private static ClientMessage nullsAsAbsent(ClientMessage message) {
        if (message instanceof ClientMessage.IceCandidate c && c.candidate() != null && c.candidate().isNull()) {
            return new ClientMessage.IceCandidate(c.requestId(), c.pc(), null);
        }
        return message;
    }
}
