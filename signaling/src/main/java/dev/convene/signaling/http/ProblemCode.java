package dev.convene.signaling.http;

/**
 * Every {@code code} a REST problem answer can carry: the stable names clients branch on. An
 * {@link ApiProblem} can only be made with one of these, so this list is the whole vocabulary,
 * and {@code docs/openapi.yaml} is checked against it.
 */
public enum ProblemCode {
    MALFORMED_BODY(400),
    INVALID_REQUEST(400),
    /** A WHIP or WHEP offer the SFU cannot use. */
    BAD_SDP(400),
    UNAUTHORIZED(401),
    FORBIDDEN(403),
    TOKEN_NOT_FOR_MEETING(403),
    NOT_A_PARTICIPANT(403),
    NOT_HOST(403),
    MEETING_LOCKED(403),
    REMOVED_FROM_MEETING(403),
    WRONG_PASSWORD(403),
    ORIGIN_NOT_ALLOWED(403),
    WAITING_ROOM_NOT_SUPPORTED(403),
    NOT_FOUND(404),
    MEETING_NOT_FOUND(404),
    PARTICIPANT_NOT_FOUND(404),
    SESSION_NOT_FOUND(404),
    METHOD_NOT_ALLOWED(405),
    CONFLICT(409),
    MEETING_FULL(409),
    MEETING_ENDED(409),
    CANNOT_REMOVE_HOST(409),
    NOTHING_TO_PLAY(409),
    PRECONDITION_FAILED(412),
    UNSUPPORTED_MEDIA_TYPE(415),
    ICE_RESTART_NOT_SUPPORTED(422),
    RATE_LIMITED(429),
    TOO_MANY_UNCLAIMED_SEATS(429),
    /** Any other 4xx the HTTP layer answers by itself (413, 414, 431, ...): the status tells which. */
    CLIENT_ERROR(400),
    INTERNAL_ERROR(500),
    NOT_IMPLEMENTED(501),
    UNAVAILABLE(503),
    STORE_UNAVAILABLE(503),
    NO_SFU_AVAILABLE(503);

    private final int status;

    ProblemCode(int status) {
        this.status = status;
    }

    /** The HTTP status answered with this code (for {@link #CLIENT_ERROR}, the usual one of several). */
    public int status() {
        return status;
    }

    /** The name on the wire: {@code meeting_full}. */
    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
