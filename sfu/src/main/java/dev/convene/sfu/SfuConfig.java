package dev.convene.sfu;

import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * How an SFU node runs.
 *
 * @param nodeId stable name of this node in the registry and in join responses
 * @param bind the UDP address the media socket binds (port 0 picks a free one, for tests)
 * @param advertisedAddress the address put in SDP candidates: what clients can reach
 * @param estimatedUplinkBps the bitrate the SFU tells each publisher it may send (REMB) until
 *     real bandwidth estimation arrives
 * @param tcpPort the ICE-TCP port, on the host of {@code bind}: {@link #TCP_DISABLED} for none, 0 for
 *     a free one (tests)
 */
public record SfuConfig(String nodeId, InetSocketAddress bind, InetAddress advertisedAddress, long estimatedUplinkBps,
        int tcpPort) {

    public static final int DEFAULT_MEDIA_PORT = 50000;
    public static final int TCP_DISABLED = -1;

    /** ICE-TCP on the same port number as UDP (both free ones when {@code bind}'s port is 0). */
    public SfuConfig(String nodeId, InetSocketAddress bind, InetAddress advertisedAddress, long estimatedUplinkBps) {
        this(nodeId, bind, advertisedAddress, estimatedUplinkBps, bind.getPort());
    }

    public SfuConfig {
        if (nodeId == null || nodeId.isBlank()) {
            throw new IllegalArgumentException("nodeId must not be blank");
        }
        if (estimatedUplinkBps <= 0) {
            throw new IllegalArgumentException("estimatedUplinkBps must be positive");
        }
        if (tcpPort < TCP_DISABLED || tcpPort > 65_535) {
            throw new IllegalArgumentException("tcpPort must be a port, 0 (any) or -1 (disabled), not " + tcpPort);
        }
    }
}
