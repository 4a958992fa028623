package dev.convene.signaling.auth;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * What a resume token binds: the participant of one meeting, and its media session on one SFU
 * node, so that a resume reaching any signaling node can take the participant's place again.
 */
public record ResumeClaims(UUID meetingId, String participantId, String userId, String displayName, String sfuNodeId,
        String sessionId) {

    public ResumeClaims {
        Objects.requireNonNull(meetingId, "meetingId");
        Objects.requireNonNull(participantId, "participantId");
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(displayName, "displayName");
        Objects.requireNonNull(sfuNodeId, "sfuNodeId");
        Objects.requireNonNull(sessionId, "sessionId");
    }

    /** The claims a socket of this participant works with once resumed. */
    public JoinClaims asJoinClaims(Instant expiresAt) {
        return new JoinClaims(meetingId, participantId, userId, displayName, sfuNodeId, expiresAt);
    }
}
