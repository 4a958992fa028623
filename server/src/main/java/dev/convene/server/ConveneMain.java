package dev.convene.server;

import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code convene [--role all] [--config convene.properties] [options]}. Every option can also
 * come from the environment ({@code CONVENE_HTTP_PORT}) or the configuration file
 * ({@code http-port=8080}); the command line wins, then the environment, then the file.
 */
@Command(name = "convene", mixinStandardHelpOptions = true, version = "Convene 0.1.0",
        description = "Video conferencing server: SFU, signaling and meeting service.",
        sortOptions = false, usageHelpAutoWidth = true)
public final class ConveneMain implements Callable<Integer> {

    enum Role { all, signaling, sfu }

    @Option(names = "--role", defaultValue = "all", description = "all (default), signaling or sfu.")
    Role role;

    @Option(names = "--config", description = "A properties file of options, e.g. http-port=8080.")
    String config;

    @Option(names = "--http-host", defaultValue = "0.0.0.0", description = "Address the HTTP/WebSocket server binds.")
    String httpHost;

    @Option(names = "--http-port", defaultValue = "8080", description = "HTTP/WebSocket port (API, signaling, web client).")
    int httpPort;

    @Option(names = "--public-url", description = "Base URL clients use, e.g. https://meet.example.com (default: from the request).")
    String publicUrl;

    @Option(names = "--media-host", defaultValue = "0.0.0.0", description = "Address the UDP media socket binds.")
    String mediaHost;

    @Option(names = "--media-port", defaultValue = "50000", description = "UDP media port (all media of this node).")
    int mediaPort;

    @Option(names = "--media-advertise", defaultValue = "127.0.0.1",
            description = "Address put in SDP candidates: the one clients can reach.")
    String mediaAdvertise;

    @Option(names = "--node-id", defaultValue = "sfu-local", description = "Name of this SFU node.")
    String nodeId;

    @Option(names = "--jwt-keys", split = ",",
            description = "JWT signing keys as kid:secret; the first signs, all verify (rotation). "
                    + "Default: one random key per start (tokens do not survive a restart).")
    List<String> jwtKeys;

    @Option(names = "--guest-auth", defaultValue = "true", arity = "1",
            description = "Allow POST /v1/auth/guest (anonymous users with a display name).")
    boolean guestAuth;

    @Option(names = "--uplink-estimate-bps", defaultValue = "2500000",
            description = "Bitrate each publisher is told it may send (REMB).")
    long uplinkEstimateBps;

    @Override
    public Integer call() throws Exception {
        if (role != Role.all) {
            System.err.println("convene: --role " + role + " needs the distributed control plane, which is not built yet;"
                    + " run --role all");
            return 2;
        }
        ServerOptions options = new ServerOptions(httpHost, httpPort, publicUrl, mediaHost, mediaPort,
                InetAddress.getByName(mediaAdvertise), nodeId, JwtKeyOption.parse(jwtKeys), guestAuth, uplinkEstimateBps);
        AllInOneServer server = AllInOneServer.start(options);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "convene-shutdown"));
        System.out.println("Convene is running: open " + server.webUrl());
        stopped.await();
        return 0;
    }

    public static void main(String[] args) throws Exception {
        CommandLine cli = new CommandLine(new ConveneMain());
        cli.setDefaultValueProvider(ConfigDefaults.from(args, System.getenv()));
        int exit = cli.execute(args);
        if (exit != 0) {
            System.exit(exit);
        }
    }
}
