package dev.convene.signaling.protocol;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** Frames the server sends (docs/signaling.md, "Server → client"). */
public sealed interface ServerMessage {

    /** The frame's {@code type}. */
    @JsonIgnore
    String type();

    /** A track as the others see it. */
    record TrackView(@JsonProperty("track_id") String trackId, @JsonProperty("kind") String kind,
            @JsonProperty("source") String source, @JsonProperty("muted") boolean muted) {}

    /** A participant and its current tracks. */
    record ParticipantView(@JsonProperty("participant_id") String participantId,
            @JsonProperty("display_name") String displayName, @JsonProperty("tracks") List<TrackView> tracks) {}

    record ChatView(@JsonProperty("message_id") String messageId, @JsonProperty("participant_id") String participantId,
            @JsonProperty("display_name") String displayName, @JsonProperty("text") String text,
            @JsonProperty("sent_at") String sentAt) {}

    /** One of the publisher's own tracks: the id the SFU gave the m-line {@code mid}. */
    record PublishedTrack(@JsonProperty("mid") String mid, @JsonProperty("track_id") String trackId,
            @JsonProperty("kind") String kind, @JsonProperty("source") String source) {}

    /** What a subscriber m-line carries. */
    record SubscribedTrackView(@JsonProperty("mid") String mid, @JsonProperty("participant_id") String participantId,
            @JsonProperty("track_id") String trackId, @JsonProperty("kind") String kind,
            @JsonProperty("source") String source) {}

    record Joined(@JsonProperty("request_id") String requestId, @JsonProperty("meeting_id") String meetingId,
            @JsonProperty("participant_id") String participantId,
            @JsonProperty("participants") List<ParticipantView> participants,
            @JsonProperty("chat") List<ChatView> chat, @JsonProperty("resume_token") String resumeToken)
            implements ServerMessage {
        @Override
        public String type() {
            return "joined";
        }
    }

    /**
     * The answer to {@code resume}: the participant is back with its id, tracks and subscriptions;
     * {@code participants} and {@code chat} are as in {@code joined}, {@code tracks} are its own.
     */
    record Resumed(@JsonProperty("request_id") String requestId, @JsonProperty("meeting_id") String meetingId,
            @JsonProperty("participant_id") String participantId,
            @JsonProperty("participants") List<ParticipantView> participants,
            @JsonProperty("chat") List<ChatView> chat, @JsonProperty("tracks") List<PublishedTrack> tracks,
            @JsonProperty("resume_token") String resumeToken)
            implements ServerMessage {
        @Override
        public String type() {
            return "resumed";
        }
    }

    /**
     * The participant's SFU failed and the meeting moved to another (ADR 0019): the client drops
     * its peer connections and negotiates both again, as after {@code joined}; its participant id,
     * the people list and chat stay. {@code resume_token} replaces the previous one.
     */
    record Migrate(@JsonProperty("resume_token") String resumeToken) implements ServerMessage {
        @Override
        public String type() {
            return "migrate";
        }
    }

    record Answer(@JsonProperty("request_id") String requestId, @JsonProperty("pc") String pc,
            @JsonProperty("sdp") String sdp, @JsonProperty("tracks") List<PublishedTrack> tracks)
            implements ServerMessage {
        @Override
        public String type() {
            return "answer";
        }
    }

    /** A subscriber offer; the client echoes {@code offerId} in its answer (ADR 0028). */
    record Offer(@JsonProperty("pc") String pc, @JsonProperty("sdp") String sdp,
            @JsonProperty("tracks") List<SubscribedTrackView> tracks, @JsonProperty("offer_id") String offerId)
            implements ServerMessage {
        @Override
        public String type() {
            return "offer";
        }
    }

    /** Who speaks now, the dominant speaker first; empty in silence. */
    record ActiveSpeakers(@JsonProperty("speakers") List<String> speakers) implements ServerMessage {
        @Override
        public String type() {
            return "active-speakers";
        }
    }

    record LayerView(@JsonProperty("index") int index, @JsonProperty("rid") String rid,
            @JsonProperty("active") boolean active) {}

    /** Dynacast: which layers of one of this client's published tracks to send, lowest first. */
    record Layers(@JsonProperty("track_id") String trackId, @JsonProperty("layers") List<LayerView> layers)
            implements ServerMessage {
        @Override
        public String type() {
            return "layers";
        }
    }

    record ParticipantJoined(@JsonProperty("participant") ParticipantView participant) implements ServerMessage {
        @Override
        public String type() {
            return "participant-joined";
        }
    }

    record ParticipantLeft(@JsonProperty("participant_id") String participantId) implements ServerMessage {
        @Override
        public String type() {
            return "participant-left";
        }
    }

    record TrackPublished(@JsonProperty("participant_id") String participantId,
            @JsonProperty("track") TrackView track) implements ServerMessage {
        @Override
        public String type() {
            return "track-published";
        }
    }

    record TrackUnpublished(@JsonProperty("participant_id") String participantId,
            @JsonProperty("track_id") String trackId) implements ServerMessage {
        @Override
        public String type() {
            return "track-unpublished";
        }
    }

    record TrackMuted(@JsonProperty("participant_id") String participantId, @JsonProperty("track_id") String trackId,
            @JsonProperty("muted") boolean muted) implements ServerMessage {
        @Override
        public String type() {
            return "track-muted";
        }
    }

    record Chat(@JsonProperty("message_id") String messageId, @JsonProperty("participant_id") String participantId,
            @JsonProperty("display_name") String displayName, @JsonProperty("text") String text,
            @JsonProperty("sent_at") String sentAt,
            @JsonProperty("request_id") @JsonInclude(JsonInclude.Include.NON_NULL) String requestId)
            implements ServerMessage {
        @Override
        public String type() {
            return "chat";
        }
    }

    /**
     * A request that has no other reply was applied: sent for every {@code answer}, so a client
     * knows its answer reached the SFU (a failed one gets {@code error} {@code bad_sdp} instead).
     *
     * @param of the type of the acknowledged frame
     */
    record Ack(@JsonProperty("request_id") String requestId, @JsonProperty("of") String of) implements ServerMessage {
        @Override
        public String type() {
            return "ack";
        }
    }

    record Pong(@JsonProperty("request_id") String requestId) implements ServerMessage {
        @Override
        public String type() {
            return "pong";
        }
    }

    record Error(@JsonProperty("code") String code, @JsonProperty("message") String message,
            @JsonProperty("request_id") String requestId) implements ServerMessage {
        public Error(ErrorCode code, String message, String requestId) {
            this(code.wire(), message, requestId);
        }

        @Override
        public String type() {
            return "error";
        }
    }

    // ---------------------------------------------------------------- hosts (ADR 0016)

    /** The meeting's host and rules, after {@code joined} and whenever they change; {@code host}: whether you are one. */
    record MeetingRules(@JsonProperty("host_id") String hostId, @JsonProperty("host") boolean host,
            @JsonProperty("locked") boolean locked, @JsonProperty("waiting_room") boolean waitingRoom,
            @JsonProperty("self_unmute") boolean selfUnmute) implements ServerMessage {
        @Override
        public String type() {
            return "meeting-rules";
        }
    }

    /** Your {@code join} waits in the waiting room until a host admits or denies it. */
    record Waiting(@JsonProperty("request_id") String requestId) implements ServerMessage {
        @Override
        public String type() {
            return "waiting";
        }
    }

    /** A host admitted you; {@code joined} follows. */
    record Admitted(@JsonProperty("request_id") String requestId) implements ServerMessage {
        @Override
        public String type() {
            return "admitted";
        }
    }

    /** A host denied you; the socket closes with 4406. */
    record Denied(@JsonProperty("message") String message) implements ServerMessage {
        @Override
        public String type() {
            return "denied";
        }
    }

    /** To hosts: someone waits in the waiting room. */
    record ParticipantWaiting(@JsonProperty("participant_id") String participantId,
            @JsonProperty("display_name") String displayName) implements ServerMessage {
        @Override
        public String type() {
            return "participant-waiting";
        }
    }

    /** To hosts: a wait is over ({@code admitted}, {@code denied} or {@code left}). */
    record WaitingEnded(@JsonProperty("participant_id") String participantId, @JsonProperty("outcome") String outcome)
            implements ServerMessage {
        @Override
        public String type() {
            return "waiting-ended";
        }
    }

    /** A host muted one of your tracks; the SFU no longer forwards it. */
    record MutedByHost(@JsonProperty("track_id") String trackId, @JsonProperty("kind") String kind)
            implements ServerMessage {
        @Override
        public String type() {
            return "muted-by-host";
        }
    }

    /** A host removed you; the socket closes with 4403 and you cannot rejoin. */
    record Removed(@JsonProperty("message") String message) implements ServerMessage {
        @Override
        public String type() {
            return "removed";
        }
    }

    /** A host ended the meeting for everyone; the socket closes with 4410. */
    record MeetingEnded(@JsonProperty("message") String message) implements ServerMessage {
        @Override
        public String type() {
            return "meeting-ended";
        }
    }
}
