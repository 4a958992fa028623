package dev.convene.signaling.protocol;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

/** Frames a client sends (docs/signaling.md, "Client → server"). */
public sealed interface ClientMessage {

    /** The client's correlation id, echoed on the reply; may be null. */
    String requestId();

    /** Why the frame is unusable though well-formed JSON, or null if it is fine. */
    default String problem() {
        return null;
    }

    record Join(@JsonProperty("request_id") String requestId) implements ClientMessage {}

    record Publish(@JsonProperty("request_id") String requestId, @JsonProperty("mid") String mid,
            @JsonProperty("kind") String kind, @JsonProperty("source") String source) implements ClientMessage {
        @Override
        public String problem() {
            if (mid == null || mid.isEmpty()) {
                return "publish needs a mid";
            }
            if (Wire.kind(kind) == null) {
                return "publish needs kind audio or video";
            }
            if (Wire.source(source) == null) {
                return "publish needs source camera, microphone, screen or screen_audio";
            }
            return null;
        }
    }

    record Offer(@JsonProperty("request_id") String requestId, @JsonProperty("pc") String pc,
            @JsonProperty("sdp") String sdp) implements ClientMessage {
        @Override
        public String problem() {
            if (!Wire.PUBLISHER.equals(pc)) {
                return "a client offers only on pc publisher";
            }
            return sdp == null ? "offer needs sdp" : null;
        }
    }

    /**
     * The client's answer to a subscriber offer. {@code offerId} echoes the offer's {@code offer_id}
     * (ADR 0028); a client of the first protocol revision sends none, and its answer is taken as
     * the answer to whatever offer is outstanding.
     */
    record Answer(@JsonProperty("request_id") String requestId, @JsonProperty("pc") String pc,
            @JsonProperty("sdp") String sdp, @JsonProperty("offer_id") String offerId) implements ClientMessage {
        @Override
        public String problem() {
            if (!Wire.SUBSCRIBER.equals(pc)) {
                return "a client answers only on pc subscriber";
            }
            return sdp == null ? "answer needs sdp" : null;
        }
    }

    record IceCandidate(@JsonProperty("request_id") String requestId, @JsonProperty("pc") String pc,
            @JsonProperty("candidate") JsonNode candidate) implements ClientMessage {}

    record Unpublish(@JsonProperty("request_id") String requestId, @JsonProperty("track_id") String trackId)
            implements ClientMessage {
        @Override
        public String problem() {
            return trackId == null || trackId.isEmpty() ? "unpublish needs track_id" : null;
        }
    }

    record Mute(@JsonProperty("request_id") String requestId, @JsonProperty("track_id") String trackId,
            @JsonProperty("muted") Boolean muted) implements ClientMessage {
        @Override
        public String problem() {
            if (trackId == null || trackId.isEmpty()) {
                return "mute needs track_id";
            }
            return muted == null ? "mute needs muted true or false" : null;
        }
    }

    /**
     * What this client wants of a track it receives; missing limits mean "no limit", missing
     * {@code paused} and {@code pinned} false, missing {@code priority} 1. {@code last_n} (how
     * many participants' video at most) belongs to the subscriber, not the track: with it,
     * {@code track_id} may be left out.
     */
    record SubscribeSettings(@JsonProperty("request_id") String requestId, @JsonProperty("track_id") String trackId,
            @JsonProperty("max_width") Integer maxWidth, @JsonProperty("max_height") Integer maxHeight,
            @JsonProperty("max_fps") Integer maxFps, @JsonProperty("paused") Boolean paused,
            @JsonProperty("priority") Integer priority, @JsonProperty("pinned") Boolean pinned,
            @JsonProperty("last_n") Integer lastN) implements ClientMessage {
        @Override
        public String problem() {
            if ((trackId == null || trackId.isEmpty()) && lastN == null) {
                return "subscribe-settings needs track_id (or last_n alone)";
            }
            if (lastN != null && lastN < 1) {
                return "subscribe-settings: last_n must be 1 to " + dev.convene.sfu.SubscribeSettings.MAX_LAST_N;
            }
            try {
                settings();
                return null;
            } catch (IllegalArgumentException e) {
                return "subscribe-settings: " + e.getMessage();
            }
        }

        /** The settings with defaults filled in; throws if a value is out of range. */
        public dev.convene.sfu.SubscribeSettings settings() {
            return new dev.convene.sfu.SubscribeSettings(orZero(maxWidth), orZero(maxHeight), orZero(maxFps),
                    paused != null && paused, priority == null ? 1 : priority, pinned != null && pinned, orZero(lastN));
        }

        private static int orZero(Integer v) {
            return v == null ? 0 : v;
        }
    }

    record Chat(@JsonProperty("request_id") String requestId, @JsonProperty("text") String text)
            implements ClientMessage {
        public static final int MAX_CHARS = 4_000;

        @Override
        public String problem() {
            if (text == null || text.isBlank()) {
                return "chat needs non-empty text";
            }
            return text.strip().length() > MAX_CHARS ? "chat text is longer than " + MAX_CHARS + " characters" : null;
        }
    }

    record Ping(@JsonProperty("request_id") String requestId) implements ClientMessage {}

    record Leave(@JsonProperty("request_id") String requestId) implements ClientMessage {}

    /** Takes the participant's place again after its socket was lost (docs/signaling.md, "Resume"). */
    record Resume(@JsonProperty("request_id") String requestId, @JsonProperty("token") String token)
            implements ClientMessage {
        @Override
        public String problem() {
            return token == null || token.isEmpty() ? "resume needs the token from joined or resumed" : null;
        }
    }
}
