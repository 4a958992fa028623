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
}
