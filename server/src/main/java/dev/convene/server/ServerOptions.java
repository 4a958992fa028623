package dev.convene.server;

import java.net.InetAddress;
import java.util.List;

/** Everything the all-in-one server needs to start, after flags, environment and file are merged. */
public record ServerOptions(
        String httpHost,
        int httpPort,
        String publicUrl,
        String mediaHost,
        int mediaPort,
        InetAddress mediaAdvertise,
        String nodeId,
        List<JwtKeyOption> jwtKeys,
        boolean guestAuth,
        long uplinkEstimateBps) {

    /** Ephemeral ports on loopback, random keys: for tests. */
    public static ServerOptions forTests() {
        return new ServerOptions("127.0.0.1", 0, null, "127.0.0.1", 0, InetAddress.getLoopbackAddress(), "sfu-test",
                JwtKeyOption.parse(null), true, 2_500_000);
    }
}
