package dev.convene.client;

/** A media transport that could not connect: ICE found no path, or DTLS failed or timed out. */
public final class MediaConnectException extends RuntimeException {

    public MediaConnectException(String message) {
        super(message);
    }

    public MediaConnectException(String message, Throwable cause) {
        super(message, cause);
    }
}
