package dev.convene.signaling.auth;

/**
 * A token that is refused. The {@link Reason} and the message are ours: the JWT library's own
 * text never leaves the process (it may be logged), so answers stay stable across library
 * versions and say nothing about its internals.
 */
public final class InvalidTokenException extends Exception {

    /** Why a token was refused; {@link #wire()} is the documented {@code reason} of a 401 answer. */
    public enum Reason {
        MISSING("missing", "no token was sent"),
        MALFORMED("malformed", "the token is not a well-formed JWT"),
        UNKNOWN_KEY("unknown_key", "the token names no signing key known here"),
        BAD_SIGNATURE("bad_signature", "the token's signature does not verify"),
        EXPIRED("expired", "the token has expired"),
        NOT_YET_VALID("not_yet_valid", "the token is not valid yet"),
        WRONG_KIND("wrong_kind", "the token is of another kind"),
        WRONG_ISSUER("wrong_issuer", "the token was issued by someone else"),
        WRONG_AUDIENCE("wrong_audience", "the token is meant for another service"),
        LIFETIME_TOO_LONG("lifetime_too_long", "the token lives longer than this server allows"),
        MISSING_CLAIM("missing_claim", "the token lacks a claim this server needs");

        private final String wire;
        private final String message;

        Reason(String wire, String message) {
            this.wire = wire;
            this.message = message;
        }

        public String wire() {
            return wire;
        }

        public String message() {
            return message;
        }
    }

    private final Reason reason;

    public InvalidTokenException(Reason reason) {
        super(reason.message());
        this.reason = reason;
    }

    public InvalidTokenException(Reason reason, Throwable cause) {
        super(reason.message(), cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
