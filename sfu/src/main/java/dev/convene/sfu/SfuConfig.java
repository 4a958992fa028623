package dev.convene.sfu;

import dev.convene.media.transport.ice.IceLiteAgent;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * How an SFU node runs.
 *
 * @param nodeId stable name of this node in the registry and in join responses
 * @param bind the UDP address the media port binds (port 0 picks a free one, for tests); the
 *     wildcard address means one socket on each usable address of the host
 * @param advertisedAddresses extra addresses put in SDP candidates, before the bound ones: what
 *     clients reach through a 1:1 NAT; empty when the host's own addresses are reachable
 * @param estimatedUplinkBps the bitrate the SFU tells each publisher it may send (REMB) until
 *     real bandwidth estimation arrives
 * @param consentTimeout how long a client may send neither a consent check nor authenticated
 *     media before its session ends
 * @param tcpPort the ICE-TCP port, on the host of {@code bind}: {@link #TCP_DISABLED} for none, 0 for
 *     a free one (tests)
 * @param maxAudioStreams how many of the loudest speakers' audio each subscriber receives at most
 * @param defaultLastN how many participants' video each subscriber receives at most until it asks for another number
 * @param mediaLoops how many media event loops the node runs (ADR 0036), each on its own ports: loop
 *     {@code i} binds UDP {@code bind}'s port + {@code i} and ICE-TCP {@code tcpPort} + {@code i} (free
 *     ones for each loop when the port is 0)
 */
public record SfuConfig(String nodeId, InetSocketAddress bind, List<InetAddress> advertisedAddresses,
        long estimatedUplinkBps, Duration consentTimeout, int tcpPort, int maxAudioStreams, int defaultLastN,
        int mediaLoops) {

    public static final int DEFAULT_MAX_AUDIO_STREAMS = 5;
    public static final int DEFAULT_LAST_N = 25;

    public static final int DEFAULT_MEDIA_PORT = 50000;
    public static final Duration DEFAULT_CONSENT_TIMEOUT = IceLiteAgent.DEFAULT_CONSENT_TIMEOUT;
    public static final int TCP_DISABLED = -1;

    public SfuConfig {
        if (nodeId == null || nodeId.isBlank()) {
            throw new IllegalArgumentException("nodeId must not be blank");
        }
        if (estimatedUplinkBps <= 0) {
            throw new IllegalArgumentException("estimatedUplinkBps must be positive");
        }
        advertisedAddresses = List.copyOf(advertisedAddresses);
        if (consentTimeout == null || consentTimeout.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("the consent timeout must be at least 1 s, was " + consentTimeout);
        }
        if (tcpPort < TCP_DISABLED || tcpPort > 65_535) {
            throw new IllegalArgumentException("tcpPort must be a port, 0 (any) or -1 (disabled), not " + tcpPort);
        }
        if (maxAudioStreams < 1 || defaultLastN < 0) {
            throw new IllegalArgumentException("maxAudioStreams must be at least 1 and defaultLastN at least 0");
        }
        if (mediaLoops < 1) {
            throw new IllegalArgumentException("mediaLoops must be at least 1, not " + mediaLoops);
        }
        if (bind.getPort() != 0 && bind.getPort() + mediaLoops - 1 > 65_535
                || tcpPort > 0 && tcpPort + mediaLoops - 1 > 65_535) {
            throw new IllegalArgumentException(mediaLoops + " media loops need " + mediaLoops
                    + " consecutive ports from the media port and from the ICE-TCP port, which run past 65535");
        }
    }

    /** One media loop. */
    public SfuConfig(String nodeId, InetSocketAddress bind, List<InetAddress> advertisedAddresses, long estimatedUplinkBps,
            Duration consentTimeout, int tcpPort, int maxAudioStreams, int defaultLastN) {
        this(nodeId, bind, advertisedAddresses, estimatedUplinkBps, consentTimeout, tcpPort, maxAudioStreams, defaultLastN,
                1);
    }

    /** The UDP port media loop {@code loop} binds: the media port + {@code loop}, or a free one (0). */
    public int udpPortOfLoop(int loop) {
        return bind.getPort() == 0 ? 0 : bind.getPort() + loop;
    }

    /** The ICE-TCP port media loop {@code loop} binds: {@code tcpPort} + {@code loop}, a free one (0), or none. */
    public int tcpPortOfLoop(int loop) {
        return tcpPort <= 0 ? tcpPort : tcpPort + loop;
    }

    /** The default numbers of audio streams and last-N videos. */
    public SfuConfig(String nodeId, InetSocketAddress bind, List<InetAddress> advertisedAddresses, long estimatedUplinkBps,
            Duration consentTimeout, int tcpPort) {
        this(nodeId, bind, advertisedAddresses, estimatedUplinkBps, consentTimeout, tcpPort, DEFAULT_MAX_AUDIO_STREAMS,
                DEFAULT_LAST_N);
    }

    /** ICE-TCP on the same port number as UDP (both free ones when {@code bind}'s port is 0). */
    public SfuConfig(String nodeId, InetSocketAddress bind, List<InetAddress> advertisedAddresses, long estimatedUplinkBps,
            Duration consentTimeout) {
        this(nodeId, bind, advertisedAddresses, estimatedUplinkBps, consentTimeout, bind.getPort());
    }

    /** A node with the default consent timeout, ICE-TCP on the UDP port's number. */
    public SfuConfig(String nodeId, InetSocketAddress bind, List<InetAddress> advertisedAddresses, long estimatedUplinkBps) {
        this(nodeId, bind, advertisedAddresses, estimatedUplinkBps, DEFAULT_CONSENT_TIMEOUT);
    }
}
