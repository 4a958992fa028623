package dev.convene.signaling.auth;

import java.time.Instant;
import java.util.UUID;

/**
 * What a join token binds: one participant of one meeting, on one SFU node; {@code hostGrant}
 * carries the access token's {@code host} grant to the socket.
 */
public record JoinClaims(UUID meetingId, String participantId, String userId, String displayName, String sfuNodeId,
        Instant expiresAt, boolean hostGrant) {

    public JoinClaims(UUID meetingId, String participantId, String userId, String displayName, String sfuNodeId,
            Instant expiresAt) {
        this(meetingId, participantId, userId, displayName, sfuNodeId, expiresAt, false);
    }
}
