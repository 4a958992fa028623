package dev.convene.signaling.auth;

import java.time.Instant;
import java.util.UUID;

/**
 * Who holds an access token.
 *
 * @param meetingId the one meeting the token is good for (an {@code mid} claim), or null for any
 *     meeting; a token bound to a meeting cannot create meetings
 * @param hostGrant the token's {@code host} grant: its holder is a host of every meeting the
 *     token allows (LiveKit's {@code roomAdmin}, Jitsi's moderator), beside the meeting's own host
 */
public record AccessClaims(String userId, String displayName, Instant expiresAt, UUID meetingId, boolean hostGrant) {

    public AccessClaims(String userId, String displayName, Instant expiresAt, UUID meetingId) {
        this(userId, displayName, expiresAt, meetingId, false);
    }

    /** Whether the token may act on this meeting. */
    public boolean allows(UUID meeting) {
        return meetingId == null || meetingId.equals(meeting);
    }
}
