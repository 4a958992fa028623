package dev.convene.client;

/**
 * A REST call that the server refused with an RFC 9457 problem (or that did not answer with
 * JSON at all): the HTTP status and the problem's stable {@code code}.
 */
public final class ApiException extends RuntimeException {

    private final int status;
    private final String code;

    public ApiException(int status, String code, String message) {
        super(status + " " + code + ": " + message);
        this.status = status;
        this.code = code;
    }

    public int status() {
        return status;
    }

    /** The problem's {@code code}, e.g. {@code meeting_not_found}; {@code unexpected_response} when there was none. */
    public String code() {
        return code;
    }
}
