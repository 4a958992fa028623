package dev.convene.media.transport.stun;

/** The ERROR-CODE attribute (RFC 8489 §14.8): a code 300–699 and a reason phrase. */
public record StunErrorCode(int code, String reason) {
    public static final int TRY_ALTERNATE = 300;
    public static final int BAD_REQUEST = 400;
    public static final int UNAUTHORIZED = 401;
    public static final int UNKNOWN_ATTRIBUTE = 420;
    public static final int ROLE_CONFLICT = 487;
    public static final int SERVER_ERROR = 500;

    public StunErrorCode {
        if (code < 300 || code > 699) {
            throw new IllegalArgumentException("STUN error codes are 300-699: " + code);
        }
        reason = reason == null ? "" : reason;
    }
}
