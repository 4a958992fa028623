package dev.convene.signaling.placement;

/** No SFU node can take a participant now; clients get 503 and may retry. */
public final class NoSfuAvailableException extends RuntimeException {
    public NoSfuAvailableException(String message) {
        super(message);
    }
}
