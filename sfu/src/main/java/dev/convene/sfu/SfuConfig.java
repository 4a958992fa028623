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
 */
public record SfuConfig(String nodeId, InetSocketAddress bind, InetAddress advertisedAddress, long estimatedUplinkBps) {

    public static final int DEFAULT_MEDIA_PORT = 50000;

    public SfuConfig {
        if (nodeId == null || nodeId.isBlank()) {
            throw new IllegalArgumentException("nodeId must not be blank");
        }
        if (estimatedUplinkBps <= 0) {
            throw new IllegalArgumentException("estimatedUplinkBps must be positive");
        }
    }
}
