package dev.convene.client;

/** The answer to {@code POST /v1/auth/guest}: an access token for the REST API. */
public record GuestToken(String accessToken, String userId, String displayName, long expiresInSeconds) {

    /** Never prints the token. */
    @Override
    public String toString() {
        return "GuestToken[userId=" + userId + ", displayName=" + displayName + "]";
    }
}
