package dev.convene.client;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** The answer to {@code GET /v1/meetings/{id}/join}: a reserved seat and where to signal. */
public record JoinGrant(String meetingId, String participantId, String displayName, String sfuNodeId,
        String sfuRegion, URI signalingUrl, String token, long expiresInSeconds) {

    /** The signaling URL with the join token, as the socket is opened. */
    public URI socketUri() {
        String sep = signalingUrl.getRawQuery() == null ? "?" : "&";
        return URI.create(signalingUrl + sep + "token=" + URLEncoder.encode(token, StandardCharsets.UTF_8));
    }

    /** Never prints the token. */
    @Override
    public String toString() {
        return "JoinGrant[meetingId=" + meetingId + ", participantId=" + participantId + ", sfu=" + sfuNodeId + "]";
    }
}
