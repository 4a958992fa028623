package dev.convene.signaling.http;

/**
 * An error answer of the REST API, written as RFC 9457 problem JSON with a stable {@code code}.
 * Thrown by handlers; carries no stack trace, as it is an answer, not a failure.
 */
public final class ApiProblem extends RuntimeException {

    private final int status;
    private final ProblemCode code;
    private final String title;
    private final long retryAfterSeconds;
    private final String reason;

    public ApiProblem(int status, ProblemCode code, String title, String detail) {
        this(status, code, title, detail, 0, null);
    }

    private ApiProblem(int status, ProblemCode code, String title, String detail, long retryAfterSeconds, String reason) {
        super(detail, null, false, false);
        this.status = status;
        this.code = code;
        this.title = title;
        this.retryAfterSeconds = retryAfterSeconds;
        this.reason = reason;
    }

    /** A finer, documented cause within the {@code code} (e.g. why a token was refused); null for none. */
    public String reason() {
        return reason;
    }

    /** Seconds the client should wait before trying again ({@code Retry-After}); 0 for none. */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    public int status() {
        return status;
    }

    /** The stable code, as written on the wire. */
    public String code() {
        return code.wire();
    }

    public ProblemCode problemCode() {
        return code;
    }

    public String title() {
        return title;
    }

    public String detail() {
        return getMessage();
    }

    public static ApiProblem malformedBody(String detail) {
        return new ApiProblem(400, ProblemCode.MALFORMED_BODY, "Malformed request body", detail);
    }

    public static ApiProblem invalid(String detail) {
        return new ApiProblem(400, ProblemCode.INVALID_REQUEST, "Invalid request", detail);
    }

    public static ApiProblem unauthorized(String detail) {
        return new ApiProblem(401, ProblemCode.UNAUTHORIZED, "Unauthorized", detail);
    }

    /** A refused token: {@code reason} is one of the documented {@code InvalidTokenException.Reason}s. */
    public static ApiProblem unauthorized(String detail, String reason) {
        return new ApiProblem(401, ProblemCode.UNAUTHORIZED, "Unauthorized", detail, 0, reason);
    }

    /** The caller is known but may not do this. */
    public static ApiProblem forbidden(ProblemCode code, String detail) {
        return new ApiProblem(403, code, "Forbidden", detail);
    }

    public static ApiProblem notFound(String detail) {
        return new ApiProblem(404, ProblemCode.NOT_FOUND, "Not found", detail);
    }

    public static ApiProblem meetingNotFound(String id) {
        return new ApiProblem(404, ProblemCode.MEETING_NOT_FOUND, "Meeting not found", "No meeting " + id);
    }

    public static ApiProblem methodNotAllowed(String detail) {
        return new ApiProblem(405, ProblemCode.METHOD_NOT_ALLOWED, "Method not allowed", detail);
    }

    public static ApiProblem meetingFull(String id, int capacity) {
        return new ApiProblem(409, ProblemCode.MEETING_FULL, "Meeting full", "Meeting " + id + " has all its " + capacity + " seats taken");
    }

    public static ApiProblem meetingEnded(String id) {
        return new ApiProblem(409, ProblemCode.MEETING_ENDED, "Meeting ended", "Meeting " + id + " has ended");
    }

    public static ApiProblem rateLimited(String detail, long retryAfterSeconds) {
        return new ApiProblem(429, ProblemCode.RATE_LIMITED, "Too many requests", detail, Math.max(1, retryAfterSeconds), null);
    }

    /** A dependency (SFU fleet, Redis, PostgreSQL) cannot serve the request now; it may work in a moment. */
    public static ApiProblem unavailable(ProblemCode code, String detail) {
        return new ApiProblem(503, code, "Service unavailable", detail, 1, null);
    }

    /** The caller holds as many seats waiting for their sockets as it may; one frees itself within seconds. */
    public static ApiProblem tooManyUnclaimed(long retryAfterSeconds) {
        return new ApiProblem(429, ProblemCode.TOO_MANY_UNCLAIMED_SEATS, "Too many unclaimed seats",
                "You hold as many seats of this meeting that no socket has claimed yet as you may; open their sockets or wait",
                Math.max(1, retryAfterSeconds), null);
    }

    public static ApiProblem internal() {
        return new ApiProblem(500, ProblemCode.INTERNAL_ERROR, "Internal server error", "The server failed to answer; it has logged why");
    }
}
