package dev.convene.media.transport.dtls;

/**
 * Which side of the DTLS handshake an endpoint plays (RFC 5763 §5, RFC 8842).
 * The SFU answers {@code a=setup:passive} and is the server; our Java test client offers
 * {@code a=setup:active} and is the client.
 */
public enum DtlsRole {
    /** Waits for the ClientHello; SDP {@code a=setup:passive}. */
    SERVER("passive"),
    /** Sends the ClientHello; SDP {@code a=setup:active}. */
    CLIENT("active");

    private final String setup;

    DtlsRole(String setup) {
        this.setup = setup;
    }

    /** The value of the local {@code a=setup} attribute for this role. */
    public String setupAttribute() {
        return setup;
    }
}
