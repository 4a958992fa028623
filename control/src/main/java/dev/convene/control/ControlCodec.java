package dev.convene.control;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.convene.control.ControlFrame.Attach;
import dev.convene.control.ControlFrame.Close;
import dev.convene.control.ControlFrame.Detach;
import dev.convene.control.ControlFrame.SessionMoved;
import dev.convene.control.ControlFrame.DeclareTrack;
import dev.convene.control.ControlFrame.Error;
import dev.convene.control.ControlFrame.Hello;
import dev.convene.control.ControlFrame.Join;
import dev.convene.control.ControlFrame.MediaFailed;
import dev.convene.control.ControlFrame.Ok;
import dev.convene.control.ControlFrame.Ping;
import dev.convene.control.ControlFrame.Pong;
import dev.convene.control.ControlFrame.Published;
import dev.convene.control.ControlFrame.PublishedTracks;
import dev.convene.control.ControlFrame.RoomTracks;
import dev.convene.control.ControlFrame.PublisherOffer;
import dev.convene.control.ControlFrame.SetMuted;
import dev.convene.control.ControlFrame.SetSubscribeSettings;
import dev.convene.control.ControlFrame.SubscriberAnswer;
import dev.convene.control.ControlFrame.SubscriberOffer;
import dev.convene.control.ControlFrame.Tracks;
import dev.convene.control.ControlFrame.Unpublish;
import dev.convene.sfu.PublishResult;
import dev.convene.sfu.SubscribeSettings;
import dev.convene.sfu.SubscribedTrack;
import dev.convene.sfu.TrackDeclaration;
import dev.convene.sfu.TrackInfo;
import dev.convene.sfu.TrackKind;
import dev.convene.sfu.TrackSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads and writes control frames. The wire form is written out field by field rather than
 * derived from the records, so renaming a Java type never changes the protocol; reading is
 * strict (every field present with its type) and every failure names the field.
 */
final class ControlCodec {

    /** Session ids are minted by the caller; a bound keeps a confused peer from growing our maps' keys. */
    static final int MAX_SESSION_ID_LENGTH = 128;

    /** The longest lease a {@code detach} may ask for: a forgotten session must end eventually. */
    static final long MAX_LEASE_MILLIS = 3_600_000;

    /** Strict about the frame's end too: {@code {...} junk} is not a frame. */
    private final ObjectMapper mapper = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    // ------------------------------------------------------------------ encode

    String encode(ControlFrame frame) {
        ObjectNode o = mapper.createObjectNode();
        o.put("v", ControlFrame.VERSION);
        switch (frame) {
            case Join f -> request(o, "join", f.id(), f.session())
                    .put("meeting_id", f.meetingId())
                    .put("participant_id", f.participantId());
            case DeclareTrack f -> request(o, "declare_track", f.id(), f.session())
                    .put("mid", f.declaration().mid())
                    .put("kind", wire(f.declaration().kind()))
                    .put("source", wire(f.declaration().source()));
            case PublisherOffer f -> request(o, "publisher_offer", f.id(), f.session()).put("sdp", f.sdp());
            case SubscriberAnswer f -> request(o, "subscriber_answer", f.id(), f.session()).put("sdp", f.sdp());
            case Unpublish f -> request(o, "unpublish", f.id(), f.session()).put("track_id", f.trackId());
            case SetMuted f -> request(o, "set_muted", f.id(), f.session())
                    .put("track_id", f.trackId())
                    .put("muted", f.muted());
            case SetSubscribeSettings f -> request(o, "set_subscribe_settings", f.id(), f.session())
                    .put("track_id", f.trackId() == null ? "" : f.trackId())
                    .put("pinned", f.settings().pinned())
                    .put("last_n", f.settings().lastN())
                    .put("max_width", f.settings().maxWidth())
                    .put("max_height", f.settings().maxHeight())
                    .put("max_fps", f.settings().maxFps())
                    .put("paused", f.settings().paused())
                    .put("priority", f.settings().priority());
            case ControlFrame.ReceiveNothing f -> request(o, "receive_nothing", f.id(), f.session());
            case ControlFrame.PlayerOffer f -> request(o, "player_offer", f.id(), f.session())
                    .put("sdp", f.sdp())
                    .put("publisher_id", f.publisherId());
            case PublishedTracks f -> request(o, "published_tracks", f.id(), f.session());
            case RoomTracks f -> request(o, "room_tracks", f.id(), f.session());
            case Close f -> request(o, "close", f.id(), f.session());
            case Attach f -> request(o, "attach", f.id(), f.session()).put("participant_id", f.participantId());
            case Detach f -> request(o, "detach", f.id(), f.session()).put("lease_ms", f.leaseMillis());
            case Ping f -> o.put("type", "ping");
            case Ok f -> o.put("type", "ok").put("id", f.id());
            case Published f -> {
                o.put("type", "published").put("id", f.id()).put("sdp", f.result().sdpAnswer());
                o.set("added", tracks(f.result().added()));
                o.set("removed", tracks(f.result().removed()));
            }
            case ControlFrame.PlayerAnswer f -> o.put("type", "player_answer").put("id", f.id()).put("sdp", f.sdp());
            case Tracks f -> {
                o.put("type", "tracks").put("id", f.id());
                o.set("tracks", tracks(f.tracks()));
            }
            case Error f -> {
                o.put("type", "error");
                if (f.id() > 0) {
                    o.put("id", f.id());
                } else {
                    o.putNull("id");
                }
                o.put("code", f.code().wire()).put("message", f.message());
            }
            case Hello f -> o.put("type", "hello").put("node_id", f.nodeId());
            case Pong f -> o.put("type", "pong");
            case SubscriberOffer f -> {
                o.put("type", "subscriber_offer").put("session", f.session()).put("sdp", f.sdp());
                ArrayNode a = o.putArray("tracks");
                for (SubscribedTrack t : f.tracks()) {
                    ObjectNode s = a.addObject().put("mid", t.mid());
                    s.set("track", track(t.track()));
                }
            }
            case ControlFrame.ActiveSpeakers f -> {
                o.put("type", "active_speakers").put("session", f.session());
                ArrayNode a = o.putArray("participant_ids");
                f.participantIds().forEach(a::add);
            }
            case ControlFrame.PublishLayers f -> {
                o.put("type", "publish_layers").put("session", f.session()).put("track_id", f.trackId());
                ArrayNode a = o.putArray("layers");
                for (dev.convene.sfu.PublishLayer l : f.layers()) {
                    ObjectNode layer = a.addObject().put("index", l.index()).put("active", l.active());
                    if (l.rid() != null) {
                        layer.put("rid", l.rid());
                    }
                }
            }
            case MediaFailed f -> o.put("type", "media_failed").put("session", f.session()).put("reason", f.reason());
            case SessionMoved f -> o.put("type", "session_moved").put("session", f.session());
        }
        return o.toString();
    }

    private static ObjectNode request(ObjectNode o, String type, long id, String session) {
        return o.put("type", type).put("id", id).put("session", session);
    }

    private ArrayNode tracks(List<TrackInfo> tracks) {
        ArrayNode a = mapper.createArrayNode();
        for (TrackInfo t : tracks) {
            a.add(track(t));
        }
        return a;
    }

    private ObjectNode track(TrackInfo t) {
        return mapper.createObjectNode()
                .put("track_id", t.trackId())
                .put("participant_id", t.participantId())
                .put("mid", t.mid())
                .put("kind", wire(t.kind()))
                .put("source", wire(t.source()))
                .put("muted", t.muted());
    }

    static String wire(TrackKind kind) {
        return kind.name().toLowerCase(Locale.ROOT);
    }

    static String wire(TrackSource source) {
        return source.name().toLowerCase(Locale.ROOT);
    }

    // ------------------------------------------------------------------ decode

    ControlFrame decode(String text) throws FrameException {
        JsonNode root;
        try {
            root = mapper.readTree(text);
        } catch (JsonProcessingException e) {
            throw new FrameException(ControlError.MALFORMED_FRAME, "not JSON: " + e.getOriginalMessage(), 0);
        }
        if (root == null || !root.isObject()) {
            throw new FrameException(ControlError.MALFORMED_FRAME, "a frame is a JSON object", 0);
        }
        Fields f = new Fields(root);
        JsonNode v = root.get("v");
        if (v == null || !v.isIntegralNumber()) {
            throw f.malformed("v (protocol version) is missing or not an integer");
        }
        // asLong() keeps the low 64 bits, so 2^64 + 1 would pass for 1 without the range check.
        if (!v.canConvertToLong() || v.asLong() != ControlFrame.VERSION) {
            throw new FrameException(ControlError.UNSUPPORTED_VERSION,
                    "version " + v.asText() + " is not spoken here; this node speaks " + ControlFrame.VERSION, f.id);
        }
        String type = f.text("type");
        return switch (type) {
            case "join" -> new Join(f.requestId(), f.session(), f.text("meeting_id"), f.text("participant_id"));
            case "declare_track" -> new DeclareTrack(f.requestId(), f.session(),
                    new TrackDeclaration(f.text("mid"), f.kind(root), f.source(root)));
            case "publisher_offer" -> new PublisherOffer(f.requestId(), f.session(), f.text("sdp"));
            case "subscriber_answer" -> new SubscriberAnswer(f.requestId(), f.session(), f.text("sdp"));
            case "unpublish" -> new Unpublish(f.requestId(), f.session(), f.text("track_id"));
            case "set_muted" -> new SetMuted(f.requestId(), f.session(), f.text("track_id"), f.bool(root, "muted"));
            case "set_subscribe_settings" -> new SetSubscribeSettings(f.requestId(), f.session(), f.text("track_id"),
                    f.subscribeSettings(root));
            case "receive_nothing" -> new ControlFrame.ReceiveNothing(f.requestId(), f.session());
            case "player_offer" -> new ControlFrame.PlayerOffer(f.requestId(), f.session(), f.text("sdp"),
                    f.text("publisher_id"));
            case "player_answer" -> new ControlFrame.PlayerAnswer(f.requestId(), f.text("sdp"));
            case "published_tracks" -> new PublishedTracks(f.requestId(), f.session());
            case "room_tracks" -> new RoomTracks(f.requestId(), f.session());
            case "close" -> new Close(f.requestId(), f.session());
            case "attach" -> new Attach(f.requestId(), f.session(), f.text("participant_id"));
            case "detach" -> new Detach(f.requestId(), f.session(), f.leaseMillis(root));
            case "ping" -> new Ping();
            case "ok" -> new Ok(f.requestId());
            case "published" -> new Published(f.requestId(), new PublishResult(f.text("sdp"),
                    f.trackList(root, "added"), f.trackList(root, "removed")));
            case "tracks" -> new Tracks(f.requestId(), f.trackList(root, "tracks"));
            case "error" -> new Error(f.id, ControlError.fromWire(f.text("code")), f.text("message"));
            case "hello" -> new Hello(f.text("node_id"));
            case "pong" -> new Pong();
            case "subscriber_offer" -> new SubscriberOffer(f.session(), f.text("sdp"), f.subscribedTracks(root));
            case "media_failed" -> new MediaFailed(f.session(), f.text("reason"));
            case "active_speakers" -> new ControlFrame.ActiveSpeakers(f.session(), f.texts(root, "participant_ids"));
            case "publish_layers" -> new ControlFrame.PublishLayers(f.session(), f.text("track_id"), f.publishLayers(root));
            case "session_moved" -> new SessionMoved(f.session());
            default -> throw new FrameException(ControlError.UNKNOWN_TYPE, "unknown frame type '" + type + "'", f.id);
        };
    }

    /** Field access that turns every missing or mistyped field into a {@code malformed_frame} naming it. */
    private static final class Fields {
        private final JsonNode root;
        /** The frame's id if it has a usable one, so even an error about the frame can be correlated. */
        private final long id;

        Fields(JsonNode root) {
            this.root = root;
            JsonNode idNode = root.get("id");
            this.id = idNode != null && idNode.isIntegralNumber() && idNode.canConvertToLong() && idNode.asLong() > 0
                    ? idNode.asLong() : 0;
        }

        FrameException malformed(String message) {
            return new FrameException(ControlError.MALFORMED_FRAME, message, id);
        }

        long requestId() throws FrameException {
            if (id <= 0) {
                throw malformed("id is missing or not a positive integer");
            }
            return id;
        }

        String session() throws FrameException {
            String s = text("session");
            if (s.isEmpty() || s.length() > MAX_SESSION_ID_LENGTH) {
                throw malformed("session must have 1 to " + MAX_SESSION_ID_LENGTH + " characters");
            }
            return s;
        }

        String text(String name) throws FrameException {
            return text(root, name);
        }

        String text(JsonNode node, String name) throws FrameException {
            JsonNode n = node.get(name);
            if (n == null || !n.isTextual()) {
                throw malformed(name + " is missing or not a string");
            }
            return n.textValue();
        }

        /** A lease is at least a millisecond and at most {@value #MAX_LEASE_MILLIS} ms (an hour). */
        long leaseMillis(JsonNode node) throws FrameException {
            JsonNode n = node.get("lease_ms");
            if (n == null || !n.isIntegralNumber() || !n.canConvertToLong() || n.asLong() < 1
                    || n.asLong() > MAX_LEASE_MILLIS) {
                throw malformed("lease_ms is missing or not an integer from 1 to " + MAX_LEASE_MILLIS);
            }
            return n.asLong();
        }

        boolean bool(JsonNode node, String name) throws FrameException {
            JsonNode n = node.get(name);
            if (n == null || !n.isBoolean()) {
                throw malformed(name + " is missing or not a boolean");
            }
            return n.booleanValue();
        }

        int integer(JsonNode node, String name) throws FrameException {
            JsonNode n = node.get(name);
            if (n == null || !n.isIntegralNumber() || !n.canConvertToInt()) {
                throw malformed(name + " is missing or not an integer");
            }
            return n.intValue();
        }

        SubscribeSettings subscribeSettings(JsonNode node) throws FrameException {
            try {
                // pinned and last_n are newer than the frame: a node that sends neither means neither.
                return new SubscribeSettings(integer(node, "max_width"), integer(node, "max_height"),
                        integer(node, "max_fps"), bool(node, "paused"), integer(node, "priority"),
                        node.has("pinned") && bool(node, "pinned"), node.has("last_n") ? integer(node, "last_n") : 0);
            } catch (IllegalArgumentException e) {
                throw malformed(e.getMessage());
            }
        }

        List<String> texts(JsonNode node, String name) throws FrameException {
            JsonNode n = node.get(name);
            if (n == null || !n.isArray()) {
                throw malformed(name + " is missing or not an array");
            }
            List<String> out = new java.util.ArrayList<>();
            for (JsonNode e : n) {
                if (!e.isTextual()) {
                    throw malformed(name + " holds something that is not a string");
                }
                out.add(e.textValue());
            }
            return out;
        }

        List<dev.convene.sfu.PublishLayer> publishLayers(JsonNode node) throws FrameException {
            JsonNode n = node.get("layers");
            if (n == null || !n.isArray()) {
                throw malformed("layers is missing or not an array");
            }
            List<dev.convene.sfu.PublishLayer> out = new java.util.ArrayList<>();
            for (JsonNode e : n) {
                JsonNode rid = e.get("rid");
                out.add(new dev.convene.sfu.PublishLayer(integer(e, "index"), rid != null && rid.isTextual() ? rid.textValue() : null,
                        bool(e, "active")));
            }
            return out;
        }

        TrackKind kind(JsonNode node) throws FrameException {
            String s = text(node, "kind");
            for (TrackKind k : TrackKind.values()) {
                if (wire(k).equals(s)) {
                    return k;
                }
            }
            throw malformed("kind '" + s + "' is not audio or video");
        }

        TrackSource source(JsonNode node) throws FrameException {
            String s = text(node, "source");
            for (TrackSource src : TrackSource.values()) {
                if (wire(src).equals(s)) {
                    return src;
                }
            }
            throw malformed("source '" + s + "' is not camera, microphone, screen or screen_audio");
        }

        TrackInfo track(JsonNode node) throws FrameException {
            if (node == null || !node.isObject()) {
                throw malformed("a track is an object");
            }
            return new TrackInfo(text(node, "track_id"), text(node, "participant_id"), text(node, "mid"), kind(node),
                    source(node), bool(node, "muted"));
        }

        JsonNode array(JsonNode node, String name) throws FrameException {
            JsonNode n = node.get(name);
            if (n == null || !n.isArray()) {
                throw malformed(name + " is missing or not an array");
            }
            return n;
        }

        List<TrackInfo> trackList(JsonNode node, String name) throws FrameException {
            List<TrackInfo> out = new ArrayList<>();
            for (JsonNode t : array(node, name)) {
                out.add(track(t));
            }
            return List.copyOf(out);
        }

        List<SubscribedTrack> subscribedTracks(JsonNode node) throws FrameException {
            List<SubscribedTrack> out = new ArrayList<>();
            for (JsonNode s : array(node, "tracks")) {
                if (!s.isObject()) {
                    throw malformed("a subscribed track is an object");
                }
                out.add(new SubscribedTrack(text(s, "mid"), track(s.get("track"))));
            }
            return List.copyOf(out);
        }
    }
}
