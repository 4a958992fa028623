package dev.convene.sfu;

/**
 * The session asked for is not on the node any more (closed, its lease ran out, its media failed),
 * or the handle used was superseded by another caller's {@link SfuNode#attach}.
 */
public class SessionGoneException extends RuntimeException {
    public SessionGoneException(String message) {
        super(message);
    }
}
