package dev.convene.sfu.transport;

import dev.convene.media.transport.stun.StunClass;
import dev.convene.media.transport.stun.StunMessage;
import dev.convene.sfu.net.MediaEndpoint;
import java.net.InetSocketAddress;

/**
 * Answers the signaling nodes' media probes (ADR 0030): a STUN Binding request whose USERNAME is
 * {@link #USERNAME} gets a Binding success with the sender's address, without a session, so a
 * node whose media port is unreachable (a black-holed UDP path) is noticed while its control
 * connection and registry heartbeats still look healthy. The answer is no larger than the
 * request and carries nothing secret: what a public STUN server does.
 */
public final class MediaHealthCheck {

    /** The USERNAME of a probe; no ICE username has this form (ours are {@code ufrag:ufrag}). */
    public static final String USERNAME = "convene-health";

    private MediaHealthCheck() {}

    /** Answers {@code request} if it is a probe; whether it was one. */
    static boolean answer(StunMessage request, InetSocketAddress from, MediaEndpoint via) {
        if (!request.isBindingRequest() || !request.username().map(USERNAME::equals).orElse(false)) {
            return false;
        }
        byte[] response = StunMessage.builder(StunMessage.METHOD_BINDING, StunClass.SUCCESS_RESPONSE,
                request.transactionId()).xorMappedAddress(from).fingerprint().build();
        via.send(response, 0, response.length, from);
        return true;
    }
}
