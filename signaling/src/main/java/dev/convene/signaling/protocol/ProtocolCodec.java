package dev.convene.signaling.protocol;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.type.LogicalType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * Reads client frames into {@link ClientMessage}s and writes {@link ServerMessage}s, strictly:
 * a field of the wrong JSON type is {@code malformed_message}, never silently coerced.
 * Thread-safe.
 */
public final class ProtocolCodec {

    public static final int VERSION = 1;

    private static final Map<String, Class<? extends ClientMessage>> TYPES = Map.ofEntries(
            Map.entry("join", ClientMessage.Join.class),
            Map.entry("publish", ClientMessage.Publish.class),
            Map.entry("offer", ClientMessage.Offer.class),
            Map.entry("answer", ClientMessage.Answer.class),
            Map.entry("ice-candidate", ClientMessage.IceCandidate.class),
            Map.entry("unpublish", ClientMessage.Unpublish.class),
            Map.entry("mute", ClientMessage.Mute.class),
            Map.entry("subscribe-settings", ClientMessage.SubscribeSettings.class),
            Map.entry("chat", ClientMessage.Chat.class),
            Map.entry("ping", ClientMessage.Ping.class),
            Map.entry("leave", ClientMessage.Leave.class),
            Map.entry("resume", ClientMessage.Resume.class));

    private final ObjectMapper mapper;

    public ProtocolCodec() {
        JsonMapper m = JsonMapper.builder()
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .defaultPropertyInclusion(JsonInclude.Value.construct(JsonInclude.Include.NON_NULL, JsonInclude.Include.NON_NULL))
                .build();
        m.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(32).build());
        m.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        m.coercionConfigFor(LogicalType.Integer)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        m.coercionConfigFor(LogicalType.Boolean)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.String, CoercionAction.Fail);
        this.mapper = m;
    }

    /** Parses one text frame; throws with the error code to answer if it is unusable. */
    public ClientMessage decode(String text) throws ProtocolException {
        JsonNode root;
        try {
            root = mapper.readTree(text);
        } catch (JsonProcessingException e) {
            throw new ProtocolException(ErrorCode.MALFORMED_MESSAGE, "Frame is not JSON", null);
        }
        if (root == null || !root.isObject()) {
            throw new ProtocolException(ErrorCode.MALFORMED_MESSAGE, "Frame is not a JSON object", null);
        }
        JsonNode requestIdNode = root.get("request_id");
        String requestId = requestIdNode != null && requestIdNode.isTextual() ? requestIdNode.asText() : null;
        if (requestIdNode != null && !requestIdNode.isTextual() && !requestIdNode.isNull()) {
            throw new ProtocolException(ErrorCode.MALFORMED_MESSAGE, "request_id must be a string", null);
        }
        JsonNode v = root.get("v");
        if (v == null || !v.isIntegralNumber()) {
            throw new ProtocolException(ErrorCode.MALFORMED_MESSAGE, "Frame needs an integer v", requestId);
        }
        // asLong() keeps the low 64 bits, so 2^64 + 1 would pass for 1 without the range check.
        if (!v.canConvertToLong() || v.asLong() != VERSION) {
            throw new ProtocolException(ErrorCode.UNSUPPORTED_VERSION, "Protocol version " + v + " is not supported; use 1", requestId);
        }
        JsonNode type = root.get("type");
        if (type == null || !type.isTextual()) {
            throw new ProtocolException(ErrorCode.MALFORMED_MESSAGE, "Frame needs a string type", requestId);
        }
        Class<? extends ClientMessage> cls = TYPES.get(type.asText());
        if (cls == null) {
            throw new ProtocolException(ErrorCode.UNKNOWN_TYPE, "Unknown message type '" + abbreviate(type.asText()) + "'", requestId);
        }
        ClientMessage message;
        try {
            ObjectNode fields = ((ObjectNode) root).deepCopy();
            fields.remove("v");
            fields.remove("type");
            message = mapper.treeToValue(fields, cls);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new ProtocolException(ErrorCode.MALFORMED_MESSAGE, "A field of '" + type.asText() + "' has the wrong type", requestId);
        }
        String problem = message.problem();
        if (problem != null) {
            throw new ProtocolException(ErrorCode.MALFORMED_MESSAGE, problem, requestId);
        }
        return message;
    }

    /** A frame's top-level {@code type} and {@code request_id}, each null when absent or not a string. */
    public record Head(String type, String requestId) {}

    /**
     * The {@link Head} of a frame, read without building the frame: every other value is skipped,
     * so a long frame costs one scan; text that is not a JSON object has an empty head. Lets a
     * frame refused for its length be answered with its {@code request_id}.
     */
    public Head peek(String text) {
        String type = null;
        String requestId = null;
        try (JsonParser p = mapper.getFactory().createParser(text)) {
            if (p.nextToken() == JsonToken.START_OBJECT) {
                while ((type == null || requestId == null) && p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    JsonToken value = p.nextToken();
                    if (value == JsonToken.VALUE_STRING && ("type".equals(name) || "request_id".equals(name))) {
                        if ("type".equals(name)) {
                            type = p.getText();
                        } else {
                            requestId = p.getText();
                        }
                    } else {
                        p.skipChildren();
                    }
                }
            }
        } catch (IOException e) {
            // Malformed past the fields found so far: what was found is the head.
        }
        return new Head(type, requestId);
    }

    /** The frame's JSON text: {@code v} and {@code type} first, then the record's fields. */
    public String encode(ServerMessage message) {
        ObjectNode root = mapper.createObjectNode();
        root.put("v", VERSION);
        root.put("type", message.type());
        root.setAll((ObjectNode) mapper.valueToTree(message));
        try {
            return mapper.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "…";
    }
}
