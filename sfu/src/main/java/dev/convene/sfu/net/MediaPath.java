package dev.convene.sfu.net;

import java.net.InetSocketAddress;

/**
 * Where a transport's packets go once ICE has chosen: an address on the UDP media port, or an
 * ICE-TCP connection. Sends copy the bytes; a path that cannot take a packet drops it (media
 * is never queued behind a slow peer).
 */
public interface MediaPath {

    /** The peer's address: the source of its checks, put in XOR-MAPPED-ADDRESS. */
    InetSocketAddress remoteAddress();

    /** Sends a copy of {@code buf[off, off+len)} as one packet. Safe from any thread. */
    void send(byte[] buf, int off, int len);
}
