package dev.convene.signaling.auth;

/** The {@code typ} claim: what a token may be used for. A token of one type is refused as another. */
public enum TokenType {
    /** Bearer token for the REST API. */
    ACCESS("access"),
    /** Opens one participant's signaling socket. */
    JOIN("join"),
    /** Will let a participant take its session back after a reconnect (not accepted yet in v1). */
    RESUME("resume");

    private final String claim;

    TokenType(String claim) {
        this.claim = claim;
    }

    public String claim() {
        return claim;
    }
}
