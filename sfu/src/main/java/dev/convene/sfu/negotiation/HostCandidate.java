package dev.convene.sfu.negotiation;

/**
 * The SFU's host candidates on its advertised address: the UDP media port and, when ICE-TCP is
 * on, the passive TCP port.
 *
 * @param tcpPort the ICE-TCP port, or 0 when the node has none
 */
public record HostCandidate(String address, int port, int tcpPort) {

    /** UDP only. */
    public HostCandidate(String address, int port) {
        this(address, port, 0);
    }
}
