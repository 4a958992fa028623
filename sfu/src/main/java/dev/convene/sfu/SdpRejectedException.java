package dev.convene.sfu;

/** An SDP the SFU cannot use; the message says why in words a client developer understands. */
public final class SdpRejectedException extends Exception {
    public SdpRejectedException(String message) {
        super(message);
    }

    public SdpRejectedException(String message, Throwable cause) {
        super(message, cause);
    }
}
