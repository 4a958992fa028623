package dev.convene.sfu.net;

import java.net.InetSocketAddress;
import java.util.Objects;

/** A peer's address on the UDP media port, and the local endpoint its checks reached (replies leave from there). */
public record UdpPath(MediaEndpoint local, InetSocketAddress remoteAddress) implements MediaPath {

    public UdpPath {
        Objects.requireNonNull(local, "local");
        Objects.requireNonNull(remoteAddress, "remoteAddress");
    }

    @Override
    public void send(byte[] buf, int off, int len) {
        local.send(buf, off, len, remoteAddress);
    }

    @Override
    public String toString() {
        return "udp:" + local.localAddress() + "->" + remoteAddress;
    }
}
