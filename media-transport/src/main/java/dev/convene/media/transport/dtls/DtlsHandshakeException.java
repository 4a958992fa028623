package dev.convene.media.transport.dtls;

/**
 * Why a DTLS handshake did not produce SRTP keys. The {@link Reason} is stable and meant for
 * counters; the message is for logs.
 */
public final class DtlsHandshakeException extends Exception {

    public enum Reason {
        /** No handshake within {@link DtlsConfig#handshakeTimeout()}. */
        TIMEOUT,
        /** The peer's certificate does not hash to the fingerprint from SDP. */
        FINGERPRINT_MISMATCH,
        /** No SDP fingerprint was set before the peer's certificate arrived and the deadline passed. */
        FINGERPRINT_MISSING,
        /** The peer presented no certificate. */
        NO_PEER_CERTIFICATE,
        /** The peer did not offer (client) or did not choose (server) an acceptable SRTP profile. */
        NO_SRTP_PROFILE,
        /** The peer sent a fatal alert. */
        PEER_ALERT,
        /** The handshake failed locally: a malformed or unexpected message, a bad signature. */
        PROTOCOL_ERROR,
        /** {@link DtlsEndpoint#close()} was called before the handshake finished. */
        CLOSED
    }

    private static final long serialVersionUID = 1L;

    private final Reason reason;

    public DtlsHandshakeException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public DtlsHandshakeException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    @Override
    public String toString() {
        return "DtlsHandshakeException[" + reason + "]: " + getMessage();
    }
}
