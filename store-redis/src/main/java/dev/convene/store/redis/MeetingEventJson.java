package dev.convene.store.redis;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.convene.store.ChatMessage;
import dev.convene.store.MediaKind;
import dev.convene.store.MediaSource;
import dev.convene.store.MeetingEvent;
import dev.convene.store.MeetingEvent.ChatPosted;
import dev.convene.store.MeetingEvent.MeetingEnded;
import dev.convene.store.MeetingEvent.MutedByHost;
import dev.convene.store.MeetingEvent.ParticipantRemoved;
import dev.convene.store.MeetingEvent.ParticipantWaiting;
import dev.convene.store.MeetingEvent.RulesChanged;
import dev.convene.store.MeetingEvent.WaitingEnded;
import dev.convene.store.MeetingEvent.ParticipantJoined;
import dev.convene.store.MeetingEvent.ParticipantLeft;
import dev.convene.store.MeetingEvent.TrackMuted;
import dev.convene.store.MeetingEvent.TrackPublished;
import dev.convene.store.MeetingEvent.TrackUnpublished;
import dev.convene.store.TrackSummary;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.UUID;

/**
 * The wire form of {@link MeetingEvent}s between nodes: a JSON object with {@code v} (format
 * version, 1) and a {@code type} discriminator, fields in snake_case. Written by hand rather
 * than by annotations so that renaming a Java field cannot silently change what other nodes
 * (possibly of an older version, during a rolling upgrade) read.
 */
public final class MeetingEventJson {

    static final int VERSION = 1;

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private MeetingEventJson() {}

    public static String write(MeetingEvent event) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("v", VERSION);
        switch (event) {
            case ParticipantJoined e -> {
                n.put("type", "participant-joined");
                n.put("participant_id", e.participantId());
                n.put("display_name", e.displayName());
            }
            case ParticipantLeft e -> {
                n.put("type", "participant-left");
                n.put("participant_id", e.participantId());
            }
            case TrackPublished e -> {
                n.put("type", "track-published");
                n.put("participant_id", e.participantId());
                ObjectNode t = n.putObject("track");
                t.put("track_id", e.track().trackId());
                t.put("kind", e.track().kind().name());
                t.put("source", e.track().source().name());
                t.put("muted", e.track().muted());
            }
            case TrackUnpublished e -> {
                n.put("type", "track-unpublished");
                n.put("participant_id", e.participantId());
                n.put("track_id", e.trackId());
            }
            case TrackMuted e -> {
                n.put("type", "track-muted");
                n.put("participant_id", e.participantId());
                n.put("track_id", e.trackId());
                n.put("muted", e.muted());
            }
            case ChatPosted e -> {
                n.put("type", "chat-posted");
                ChatMessage m = e.message();
                ObjectNode o = n.putObject("message");
                o.put("id", m.id());
                o.put("meeting_id", m.meetingId().toString());
                o.put("participant_id", m.participantId());
                o.put("display_name", m.displayName());
                o.put("text", m.text());
                o.put("sent_at", m.sentAt().toString());
            }
            case ParticipantWaiting e -> {
                n.put("type", "participant-waiting");
                n.put("participant_id", e.participantId());
                n.put("display_name", e.displayName());
            }
            case WaitingEnded e -> {
                n.put("type", "waiting-ended");
                n.put("participant_id", e.participantId());
                n.put("outcome", e.outcome());
            }
            case ParticipantRemoved e -> {
                n.put("type", "participant-removed");
                n.put("participant_id", e.participantId());
                n.put("user_id", e.userId());
            }
            case MutedByHost e -> {
                n.put("type", "muted-by-host");
                n.put("participant_id", e.participantId());
                n.put("kind", e.kind().name());
            }
            case RulesChanged e -> n.put("type", "rules-changed");
            case MeetingEnded e -> n.put("type", "meeting-ended");
        }
        try {
            return MAPPER.writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a tree of strings and numbers", e);
        }
    }

    /**
     * Reads an event.
     *
     * @throws IllegalArgumentException if the text is not an event of a known type and version
     */
    public static MeetingEvent read(String json) {
        JsonNode n;
        try {
            n = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
        }
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        if (n.path("v").asInt(-1) != VERSION) {
            throw new IllegalArgumentException("unsupported event version " + n.path("v"));
        }
        try {
            String type = text(n, "type");
            return switch (type) {
                case "participant-joined" -> new ParticipantJoined(text(n, "participant_id"), text(n, "display_name"));
                case "participant-left" -> new ParticipantLeft(text(n, "participant_id"));
                case "track-published" -> {
                    JsonNode t = object(n, "track");
                    yield new TrackPublished(text(n, "participant_id"), new TrackSummary(
                            text(t, "track_id"),
                            MediaKind.valueOf(text(t, "kind")),
                            MediaSource.valueOf(text(t, "source")),
                            bool(t, "muted")));
                }
                case "track-unpublished" -> new TrackUnpublished(text(n, "participant_id"), text(n, "track_id"));
                case "track-muted" -> new TrackMuted(text(n, "participant_id"), text(n, "track_id"), bool(n, "muted"));
                case "chat-posted" -> {
                    JsonNode m = object(n, "message");
                    yield new ChatPosted(new ChatMessage(
                            text(m, "id"),
                            UUID.fromString(text(m, "meeting_id")),
                            text(m, "participant_id"),
                            text(m, "display_name"),
                            text(m, "text"),
                            Instant.parse(text(m, "sent_at"))));
                }
                case "participant-waiting" -> new ParticipantWaiting(text(n, "participant_id"), text(n, "display_name"));
                case "waiting-ended" -> new WaitingEnded(text(n, "participant_id"), text(n, "outcome"));
                case "participant-removed" -> new ParticipantRemoved(text(n, "participant_id"), text(n, "user_id"));
                case "muted-by-host" -> new MutedByHost(text(n, "participant_id"), MediaKind.valueOf(text(n, "kind")));
                case "rules-changed" -> new RulesChanged();
                case "meeting-ended" -> new MeetingEnded();
                default -> throw new IllegalArgumentException("unknown event type " + type);
            };
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("bad time: " + e.getMessage(), e);
        }
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual()) {
            throw new IllegalArgumentException("missing text field " + field);
        }
        return v.asText();
    }

    private static boolean bool(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || !v.isBoolean()) {
            throw new IllegalArgumentException("missing boolean field " + field);
        }
        return v.asBoolean();
    }

    private static JsonNode object(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || !v.isObject()) {
            throw new IllegalArgumentException("missing object field " + field);
        }
        return v;
    }
}
