package dev.convene.media.transport.dtls;

/**
 * Where a {@link DtlsEndpoint} sends its datagrams: the SFU's UDP socket, towards the peer's
 * selected ICE candidate pair.
 *
 * <p>Called on the endpoint's DTLS thread. The implementation must not keep {@code data}
 * after it returns (copy it if the send is queued) and should not block for long; it may
 * drop the datagram, as UDP would, since DTLS retransmits handshake flights.
 */
@FunctionalInterface
public interface DatagramSender {

    /** Sends {@code data[off, off + len)} as one UDP datagram. */
    void send(byte[] data, int off, int len);
}
