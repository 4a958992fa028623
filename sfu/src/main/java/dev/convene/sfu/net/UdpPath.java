package dev.convene.sfu.net;

import java.net.InetSocketAddress;
import java.util.Objects;

/** A peer's address on the UDP media port. */
public record UdpPath(MediaSocket socket, InetSocketAddress remoteAddress) implements MediaPath {

    public UdpPath {
        Objects.requireNonNull(socket, "socket");
        Objects.requireNonNull(remoteAddress, "remoteAddress");
    }

    @Override
    public void send(byte[] buf, int off, int len) {
        socket.send(buf, off, len, remoteAddress);
    }

    @Override
    public String toString() {
        return "udp:" + remoteAddress;
    }
}
