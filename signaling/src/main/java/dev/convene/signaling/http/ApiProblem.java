package dev.convene.signaling.http;

/**
 * An error answer of the REST API, written as RFC 9457 problem JSON with a stable {@code code}.
 * Thrown by handlers; carries no stack trace, as it is an answer, not a failure.
 */
public final class ApiProblem extends RuntimeException {

    private final int status;
    private final String code;
    private final String title;
    private final long retryAfterSeconds;
    private final String reason;

    public ApiProblem(int status, String code, String title, String detail) {
        this(status, code, title, detail, 0, null);
    }

    private ApiProblem(int status, String code, String title, String detail, long retryAfterSeconds, String reason) {
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

    public String code() {
        return code;
    }

    public String title() {
        return title;
    }

    public String detail() {
        return getMessage();
    }

    public static ApiProblem malformedBody(String detail) {
        return new ApiProblem(400, "malformed_body", "Malformed request body", detail);
    }

    public static ApiProblem invalid(String detail) {
        return new ApiProblem(400, "invalid_request", "Invalid request", detail);
    }

    public static ApiProblem unauthorized(String detail) {
        return new ApiProblem(401, "unauthorized", "Unauthorized", detail);
    }

    /** A refused token: {@code reason} is one of the documented {@code InvalidTokenException.Reason}s. */
    public static ApiProblem unauthorized(String detail, String reason) {
        return new ApiProblem(401, "unauthorized", "Unauthorized", detail, 0, reason);
    }

    /** The caller is known but may not do this. */
    public static ApiProblem forbidden(String code, String detail) {
        return new ApiProblem(403, code, "Forbidden", detail);
    }

    public static ApiProblem notFound(String detail) {
        return new ApiProblem(404, "not_found", "Not found", detail);
    }

    public static ApiProblem meetingNotFound(String id) {
        return new ApiProblem(404, "meeting_not_found", "Meeting not found", "No meeting " + id);
    }

    public static ApiProblem methodNotAllowed(String detail) {
        return new ApiProblem(405, "method_not_allowed", "Method not allowed", detail);
    }

    public static ApiProblem meetingFull(String id, int capacity) {
        return new ApiProblem(409, "meeting_full", "Meeting full", "Meeting " + id + " has all its " + capacity + " seats taken");
    }

    public static ApiProblem meetingEnded(String id) {
        return new ApiProblem(409, "meeting_ended", "Meeting ended", "Meeting " + id + " has ended");
    }

    public static ApiProblem rateLimited(String detail, long retryAfterSeconds) {
        return new ApiProblem(429, "rate_limited", "Too many requests", detail, Math.max(1, retryAfterSeconds), null);
    }

    /** A dependency (SFU fleet, Redis, PostgreSQL) cannot serve the request now; it may work in a moment. */
    public static ApiProblem unavailable(String code, String detail) {
        return new ApiProblem(503, code, "Service unavailable", detail, 1, null);
    }

    /** The caller holds as many seats waiting for their sockets as it may; one frees itself within seconds. */
    public static ApiProblem tooManyUnclaimed(long retryAfterSeconds) {
        return new ApiProblem(429, "too_many_unclaimed_seats", "Too many unclaimed seats",
                "You hold as many seats of this meeting that no socket has claimed yet as you may; open their sockets or wait",
                Math.max(1, retryAfterSeconds), null);
    }

    public static ApiProblem internal() {
        return new ApiProblem(500, "internal_error", "Internal server error", "The server failed to answer; it has logged why");
    }
}
