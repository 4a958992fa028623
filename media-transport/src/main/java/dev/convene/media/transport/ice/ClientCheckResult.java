package dev.convene.media.transport.ice;

import java.net.InetSocketAddress;

/** What {@link IceControllingAgent} made of a response to one of its checks. */
public sealed interface ClientCheckResult {

    /** An authenticated success response: the check succeeded and the peer saw us at {@code mappedAddress}. */
    record Success(InetSocketAddress mappedAddress) implements ClientCheckResult {
    }

    /** An error response to one of our checks (its integrity verified when it carried one). */
    record Failure(int errorCode, String reason) implements ClientCheckResult {
    }

    /** Not a response to a pending check of ours, or one that failed verification. */
    record Ignored(String reason) implements ClientCheckResult {
    }
}
