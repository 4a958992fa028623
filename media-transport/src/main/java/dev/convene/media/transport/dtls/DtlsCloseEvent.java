package dev.convene.media.transport.dtls;

/**
 * How a DTLS association ended.
 *
 * @param cause the kind of ending, stable for counters
 * @param detail a short human-readable detail for logs (e.g. the alert name)
 */
public record DtlsCloseEvent(Cause cause, String detail) {

    public enum Cause {
        /** {@link DtlsEndpoint#close()} was called. */
        LOCAL_CLOSE,
        /** The peer sent close_notify. */
        PEER_CLOSE_NOTIFY,
        /** The peer sent a fatal alert after the handshake. */
        PEER_ALERT,
        /** The handshake failed; see the handshake future for why. */
        HANDSHAKE_FAILED,
        /** The connection failed locally after the handshake (e.g. a malformed record). */
        ERROR
    }
}
