package dev.convene.store;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/** One chat message of a meeting, as sent. */
public record ChatMessage(String id, UUID meetingId, String participantId, String displayName, String text, Instant sentAt) {

    public ChatMessage {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(meetingId, "meetingId");
        Objects.requireNonNull(participantId, "participantId");
        Objects.requireNonNull(displayName, "displayName");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(sentAt, "sentAt");
    }
}
