package dev.convene.signaling.protocol;

/** A frame the server answers with an {@code error} frame; the socket stays open. */
public final class ProtocolException extends Exception {

    private final ErrorCode code;
    private final String requestId;

    public ProtocolException(ErrorCode code, String message, String requestId) {
        super(message, null, false, false);
        this.code = code;
        this.requestId = requestId;
    }

    public ErrorCode code() {
        return code;
    }

    /** The request id of the offending frame, if it could be read; may be null. */
    public String requestId() {
        return requestId;
    }
}
