package dev.convene.sfu;

/**
 * The SFU node could not be reached or did not answer in time (a remote node's control
 * connection is down, the node is gone). The caller may retry, or rejoin elsewhere.
 */
public class SfuUnavailableException extends RuntimeException {
    public SfuUnavailableException(String message) {
        super(message);
    }

    public SfuUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
