package dev.convene.client;

/** An {@code error} frame the server sent in answer to one of our requests, or a failed socket. */
public final class SignalingException extends RuntimeException {

    private final String code;
    private final String requestId;

    public SignalingException(String code, String message, String requestId) {
        super(code + ": " + message);
        this.code = code;
        this.requestId = requestId;
    }

    /** The error frame's {@code code} (e.g. {@code bad_sdp}), or {@code socket_closed}/{@code timeout} locally. */
    public String code() {
        return code;
    }

    public String requestId() {
        return requestId;
    }
}
