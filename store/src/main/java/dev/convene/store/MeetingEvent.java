package dev.convene.store;

import java.util.Objects;

/**
 * What happens in a meeting that every signaling node serving one of its participants must
 * hear of. Carried on the meeting's topic of the {@link EventBus}.
 */
public sealed interface MeetingEvent {

    /** The participant the event is about (the sender, for chat). */
    String participantId();

    record ParticipantJoined(String participantId, String displayName) implements MeetingEvent {
        public ParticipantJoined {
            Objects.requireNonNull(participantId, "participantId");
            Objects.requireNonNull(displayName, "displayName");
        }
    }

    record ParticipantLeft(String participantId) implements MeetingEvent {
        public ParticipantLeft {
            Objects.requireNonNull(participantId, "participantId");
        }
    }

    record TrackPublished(String participantId, TrackSummary track) implements MeetingEvent {
        public TrackPublished {
            Objects.requireNonNull(participantId, "participantId");
            Objects.requireNonNull(track, "track");
        }
    }

    record TrackUnpublished(String participantId, String trackId) implements MeetingEvent {
        public TrackUnpublished {
            Objects.requireNonNull(participantId, "participantId");
            Objects.requireNonNull(trackId, "trackId");
        }
    }

    record TrackMuted(String participantId, String trackId, boolean muted) implements MeetingEvent {
        public TrackMuted {
            Objects.requireNonNull(participantId, "participantId");
            Objects.requireNonNull(trackId, "trackId");
        }
    }

    record ChatPosted(ChatMessage message) implements MeetingEvent {
        public ChatPosted {
            Objects.requireNonNull(message, "message");
        }

        @Override
        public String participantId() {
            return message.participantId();
        }
    }

    /**
     * What a meeting's hosts did (ADR 0016). Delivered to every socket of the meeting, including
     * the one it is about. {@link #participantId()} is empty for events about the whole meeting.
     */
    sealed interface Moderation extends MeetingEvent {}

    /** A participant's socket waits in the waiting room for a host. */
    record ParticipantWaiting(String participantId, String displayName) implements Moderation {
        public ParticipantWaiting {
            Objects.requireNonNull(participantId, "participantId");
            Objects.requireNonNull(displayName, "displayName");
        }
    }

    /** A wait is over: {@code admitted} or {@code denied} by a host, or {@code left} by the participant. */
    record WaitingEnded(String participantId, String outcome) implements Moderation {
        public static final String ADMITTED = "admitted";
        public static final String DENIED = "denied";
        public static final String LEFT = "left";

        public WaitingEnded {
            Objects.requireNonNull(participantId, "participantId");
            if (!ADMITTED.equals(outcome) && !DENIED.equals(outcome) && !LEFT.equals(outcome)) {
                throw new IllegalArgumentException("outcome must be admitted, denied or left");
            }
        }
    }

    /** A host removed the user: every socket of it in the meeting closes, and it may not come back. */
    record ParticipantRemoved(String participantId, String userId) implements Moderation {
        public ParticipantRemoved {
            Objects.requireNonNull(participantId, "participantId");
            Objects.requireNonNull(userId, "userId");
        }
    }

    /** A host muted the participant's tracks of one kind. */
    record MutedByHost(String participantId, MediaKind kind) implements Moderation {
        public MutedByHost {
            Objects.requireNonNull(participantId, "participantId");
            Objects.requireNonNull(kind, "kind");
        }
    }

    /** The meeting's host or rules changed; the meeting row has the new state. */
    record RulesChanged() implements Moderation {
        @Override
        public String participantId() {
            return "";
        }
    }

    /** A host ended the meeting for everyone. */
    record MeetingEnded() implements Moderation {
        @Override
        public String participantId() {
            return "";
        }
    }
}
