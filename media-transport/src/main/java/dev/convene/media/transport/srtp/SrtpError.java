package dev.convene.media.transport.srtp;

/**
 * Negative results of {@link SrtpContext} operations. A successful call returns a length
 * (zero or more); a failed one returns one of these codes, so the hot path never throws and
 * never allocates for a bad packet. The caller counts the code and drops the packet.
 */
public final class SrtpError {
    /** Not an RTP/RTCP packet we can process: too short, wrong version, header beyond the end. */
    public static final int MALFORMED = -1;
    /** The authentication tag did not verify (wrong key, tampering, or a wrong rollover guess). */
    public static final int AUTH_FAILED = -2;
    /** The packet index was seen already or is older than the replay window. */
    public static final int REPLAYED = -3;
    /** protect: fewer spare bytes after the packet than the profile's overhead. */
    public static final int BUFFER_TOO_SMALL = -4;
    /** The 48-bit SRTP or 31-bit SRTCP index space of a stream is used up: rekey. */
    public static final int INDEX_EXHAUSTED = -5;
    /** A new SSRC would exceed {@link SrtpContext#MAX_STREAMS}. */
    public static final int TOO_MANY_STREAMS = -6;
    /** The JCE provider refused an operation (not expected with valid keys). */
    public static final int CRYPTO_ERROR = -7;

    private SrtpError() {
    }

    /** A stable lower-case name for a code, for counters and logs. */
    public static String name(int code) {
        return switch (code) {
            case MALFORMED -> "malformed";
            case AUTH_FAILED -> "auth_failed";
            case REPLAYED -> "replayed";
            case BUFFER_TOO_SMALL -> "buffer_too_small";
            case INDEX_EXHAUSTED -> "index_exhausted";
            case TOO_MANY_STREAMS -> "too_many_streams";
            case CRYPTO_ERROR -> "crypto_error";
            default -> code >= 0 ? "ok" : "unknown";
        };
    }
}
