package dev.convene.media.transport.ice;

import java.net.InetSocketAddress;

/**
 * What {@link IceLiteAgent} decided about one received STUN message. The caller sends
 * {@code response} (when there is one) back to the source address and counts the rest.
 * The response arrays are handed over, not copied.
 */
public sealed interface BindingOutcome {

    /** A valid check: answer it; the source is now a valid address. */
    record Accepted(byte[] response, InetSocketAddress source, boolean nominated, boolean selectedChanged)
            implements BindingOutcome {
    }

    /** A request we answer with an error (400, 401 or 487) and otherwise ignore. */
    record Rejected(byte[] response, int errorCode, String reason) implements BindingOutcome {
    }

    /** Nothing to send: not a binding request, or not worth an answer. */
    record Dropped(String reason) implements BindingOutcome {
    }
}
