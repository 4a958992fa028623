package dev.convene.sfu.net;

import java.net.InetSocketAddress;

/**
 * One local address of the media port. A reply leaves from the endpoint its request reached,
 * so the peer sees the address it checked (RFC 8445 §7.2.5.2.1 rejects any other).
 */
public interface MediaEndpoint {

    /** Sends a copy of {@code buf[off, off+len)}. Safe from any thread; on the loop it is flushed with the read batch. */
    void send(byte[] buf, int off, int len, InetSocketAddress to);

    InetSocketAddress localAddress();
}
