package dev.convene.signaling.auth;

import java.time.Instant;

/** Who holds an access token. */
public record AccessClaims(String userId, String displayName, Instant expiresAt) {}
