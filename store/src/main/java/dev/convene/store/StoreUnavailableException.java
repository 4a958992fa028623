package dev.convene.store;

/**
 * A networked store could not answer: its backend is down, unreachable or too slow. Thrown
 * quickly (within the store's command timeout) instead of hanging, so a caller can answer
 * 503 and let the client retry. It says nothing about whether a write took effect when the
 * failure came mid-command; callers retry idempotent operations only.
 */
public class StoreUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public StoreUnavailableException(String message) {
        super(message);
    }

    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
