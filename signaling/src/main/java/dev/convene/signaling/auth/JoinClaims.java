package dev.convene.signaling.auth;

import java.time.Instant;
import java.util.UUID;

/** What a join token binds: one participant of one meeting, on one SFU node. */
public record JoinClaims(UUID meetingId, String participantId, String userId, String displayName, String sfuNodeId,
        Instant expiresAt) {}
