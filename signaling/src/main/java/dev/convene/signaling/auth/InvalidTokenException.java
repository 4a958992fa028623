package dev.convene.signaling.auth;

/** A token that is missing, malformed, badly signed, expired or of the wrong type. */
public final class InvalidTokenException extends Exception {
    public InvalidTokenException(String message) {
        super(message);
    }

    public InvalidTokenException(String message, Throwable cause) {
        super(message, cause);
    }
}
