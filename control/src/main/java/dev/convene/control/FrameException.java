package dev.convene.control;

/** A frame that cannot be used; becomes an {@code error} reply and the connection stays. */
final class FrameException extends Exception {

    private final ControlError code;
    private final long requestId;

    FrameException(ControlError code, String message, long requestId) {
        super(message);
        this.code = code;
        this.requestId = requestId;
    }

    ControlError code() {
        return code;
    }

    /** The id of the offending frame if it could be read, else 0. */
    long requestId() {
        return requestId;
    }

    ControlFrame.Error toReply() {
        return new ControlFrame.Error(requestId, code, getMessage());
    }
}
