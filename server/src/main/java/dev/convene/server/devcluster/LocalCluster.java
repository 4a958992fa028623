package dev.convene.server.devcluster;

import dev.convene.store.redis.RedisSettings;
import dev.convene.store.redis.RedisStores;
import dev.convene.tls.TlsIdentity;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import redis.embedded.RedisServer;

/**
 * A Convene fleet on loopback: real PostgreSQL and Redis (from Maven-packaged binaries), SFU
 * nodes and signaling nodes as separate JVM processes, sharing keys. Used by the cluster tests
 * and by {@code scripts/dev-cluster}.
 *
 * <p>TLS is on everywhere, as in production: one self-signed certificate is made per cluster run
 * and written to a private temporary folder; every node presents it and trusts only it, on the
 * control channel (mutual TLS) and on the signaling nodes' HTTPS port. Clients pin it
 * ({@link #certificate()}).
 */
public final class LocalCluster implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final int START_ATTEMPTS = 3;

    private EmbeddedPostgres postgres;
    private final Path postgresData;
    private final int postgresPort;
    private final int redisPort;
    private RedisServer redis;
    private final String jwtKey;
    private final String controlKey;
    private final PrintStream echo;
    private final TlsIdentity identity;
    private final Path tlsFolder;
    private final Path certificateFile;
    private final Path keyFile;
    private final List<NodeProcess> sfus = new ArrayList<>();
    private final List<NodeProcess> signalings = new ArrayList<>();
    private List<String> sfuArgs = List.of();
    private List<String> signalingArgs = List.of();

    private LocalCluster(int redisPort, PrintStream echo) throws IOException {
        this.postgresData = Files.createTempDirectory("convene-cluster-pg");
        this.postgresPort = freePort();
        startPostgres();
        this.redisPort = redisPort;
        this.echo = echo;
        this.jwtKey = "cluster:" + secret();
        this.controlKey = "control:" + secret();
        this.identity = TlsIdentity.selfSigned(List.of(), Duration.ofDays(7), Clock.systemUTC());
        this.tlsFolder = Files.createTempDirectory("convene-cluster-tls",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        this.certificateFile = tlsFolder.resolve("cluster.pem");
        this.keyFile = tlsFolder.resolve("cluster.key");
        identity.writePem(certificateFile, keyFile);
        startRedis();
    }

    /** The certificate every node presents; clients pin it or trust it. */
    public TlsIdentity certificate() {
        return identity;
    }

    /** The PEM file of {@link #certificate()}, for a person to trust it. */
    public Path certificateFile() {
        return certificateFile;
    }

    private List<String> controlTls() {
        return List.of("--control-tls-cert", certificateFile.toString(), "--control-tls-key", keyFile.toString(),
                "--control-tls-ca", certificateFile.toString());
    }

    /**
     * Starts PostgreSQL, Redis, {@code sfuCount} SFU nodes and {@code signalingCount} signaling
     * nodes (started in parallel), each signaling node with {@code extraSignalingArgs}.
     *
     * @param echo where nodes' output is copied, or null
     */
    public static LocalCluster start(int sfuCount, int signalingCount, List<String> extraSignalingArgs, PrintStream echo)
            throws IOException {
        return start(sfuCount, signalingCount, extraSignalingArgs, List.of(), echo);
    }

    /** As {@link #start(int, int, List, PrintStream)}, with {@code extraSfuArgs} for every SFU node. */
    public static LocalCluster start(int sfuCount, int signalingCount, List<String> extraSignalingArgs,
            List<String> extraSfuArgs, PrintStream echo) throws IOException {
        LocalCluster cluster = new LocalCluster(freePort(), echo);
        cluster.sfuArgs = List.copyOf(extraSfuArgs);
        cluster.signalingArgs = List.copyOf(extraSignalingArgs);
        try {
            List<CompletableFuture<NodeProcess>> sfus = new ArrayList<>();
            for (int i = 1; i <= sfuCount; i++) {
                sfus.add(cluster.startSfuAsync("sfu-" + i, extraSfuArgs));
            }
            sfus.forEach(f -> cluster.sfus.add(f.join()));
            List<CompletableFuture<NodeProcess>> signalings = new ArrayList<>();
            for (int i = 1; i <= signalingCount; i++) {
                String name = "signaling-" + i;
                signalings.add(CompletableFuture.supplyAsync(() -> cluster.startSignaling(name, extraSignalingArgs)));
            }
            signalings.forEach(f -> cluster.signalings.add(f.join()));
            return cluster;
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    private CompletableFuture<NodeProcess> startSfuAsync(String name, List<String> extraArgs) {
        List<String> args = new ArrayList<>(List.of(
                "--role", "sfu", "--node-id", name, "--region", "local",
                "--media-host", "127.0.0.1", "--media-port", "0", "--media-advertise", "127.0.0.1",
                // Several SFU processes share the machine: each keeps one media loop (ADR 0036).
                "--media-loops", "1",
                "--control-host", "127.0.0.1", "--control-port", "0", "--control-advertise", "127.0.0.1",
                "--control-keys", controlKey, "--redis-url", redisUrl()));
        args.addAll(controlTls());
        args.addAll(extraArgs);
        return CompletableFuture.supplyAsync(() -> startOnce(name, args));
    }

    /**
     * A node's first Redis handshake has 1 s (ADR 0005); on a starved machine a JVM that is still
     * loading classes can miss it and exit. Two more tries, then the failure stands.
     */
    private NodeProcess startOnce(String name, List<String> args) {
        for (int attempt = 1; ; attempt++) {
            try {
                return NodeProcess.start(name, args, START_TIMEOUT, echo);
            } catch (IllegalStateException e) {
                if (attempt == START_ATTEMPTS) {
                    throw e;
                }
                if (echo != null) {
                    echo.println("[" + name + "] did not start, trying again: " + e.getMessage().lines().findFirst().orElse(""));
                }
            }
        }
    }

    /**
     * Stops the SFU node {@code name} (SIGTERM: it leaves the registry) and starts it again under
     * the same id, on new control and media ports, as a rescheduled container would.
     *
     * @return the new process
     */
    public synchronized NodeProcess restartSfu(String name) {
        int i = indexOf(sfus, name);
        sfus.get(i).close();
        NodeProcess node = startSfuAsync(name, sfuArgs).join();
        sfus.set(i, node);
        return node;
    }

    /**
     * Stops the signaling node {@code name} (SIGTERM) and starts it again under the same id and on
     * the same HTTPS port, so clients that know the fleet's addresses find it again (a rolling restart).
     *
     * @return the new process
     */
    public synchronized NodeProcess restartSignaling(String name) {
        int i = indexOf(signalings, name);
        int port = java.net.URI.create(signalings.get(i).url()).getPort();
        signalings.get(i).close();
        NodeProcess node = startSignaling(name, signalingArgs, port);
        signalings.set(i, node);
        return node;
    }

    private static int indexOf(List<NodeProcess> nodes, String name) {
        for (int i = 0; i < nodes.size(); i++) {
            if (nodes.get(i).name().equals(name)) {
                return i;
            }
        }
        throw new IllegalArgumentException("no node " + name);
    }

    private NodeProcess startSignaling(String name, List<String> extraArgs) {
        return startSignaling(name, extraArgs, 0);
    }

    private NodeProcess startSignaling(String name, List<String> extraArgs, int httpPort) {
        List<String> args = new ArrayList<>(List.of(
                "--role", "signaling", "--node-id", name, "--region", "local",
                "--http-host", "127.0.0.1", "--http-port", Integer.toString(httpPort),
                "--jwt-keys", jwtKey, "--control-keys", controlKey,
                "--redis-url", redisUrl(),
                "--postgres-url", jdbcUrl(), "--postgres-user", "postgres",
                // Every test client is 127.0.0.1: per-address limits would make all of them one
                // abuser. Guest auth is off by default in this role; the tests use it.
                "--guest-auth", "true", "--limit-guest-per-address", "100000/1m", "--max-unclaimed-seats", "1000",
                "--tls-cert", certificateFile.toString(), "--tls-key", keyFile.toString()));
        args.addAll(controlTls());
        args.addAll(extraArgs);
        return startOnce(name, args);
    }

    public String redisUrl() {
        return "redis://127.0.0.1:" + redisPort;
    }

    /**
     * A Redis client for looking at the cluster's state (placement, seats, registry) from outside
     * its nodes: patient timeouts (5 s to connect and per command, where a node has 1 s, ADR 0005),
     * so a starved machine fails no test on its onlooker's handshake.
     */
    public RedisStores observer() {
        RedisSettings d = RedisSettings.defaults();
        return RedisStores.connect(redisUrl(), new RedisSettings(Duration.ofSeconds(5), Duration.ofSeconds(5),
                d.maxReconnectDelay(), d.sfuDeadAfter(), d.sfuForgetAfter(), d.placementTtl(), d.seatLease()));
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + postgresPort + "/postgres?user=postgres";
    }

    public List<NodeProcess> sfus() {
        return List.copyOf(sfus);
    }

    public List<NodeProcess> signalings() {
        return List.copyOf(signalings);
    }

    /**
     * Stops PostgreSQL (fast shutdown: open connections are cut, as a crash or a failover of the
     * database would), keeping its data directory and port for {@link #startPostgres}.
     */
    public synchronized void stopPostgres() throws IOException {
        if (postgres != null) {
            postgres.close();
            postgres = null;
        }
    }

    /** (Re)starts PostgreSQL on the same port and data directory: what was committed is there again. */
    public synchronized void startPostgres() throws IOException {
        if (postgres == null) {
            postgres = EmbeddedPostgres.builder()
                    .setDataDirectory(postgresData)
                    .setCleanDataDirectory(false)
                    .setPort(postgresPort)
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    .start();
        }
    }

    public synchronized void stopRedis() throws IOException {
        if (redis != null && redis.isActive()) {
            redis.stop();
        }
    }

    /** (Re)starts Redis on the same port, empty. */
    public synchronized void startRedis() throws IOException {
        redis = RedisServer.newRedisServer()
                .port(redisPort)
                .setting("bind 127.0.0.1")
                .setting("save \"\"")
                .setting("appendonly no")
                .build();
        redis.start();
    }

    @Override
    public void close() {
        signalings.forEach(NodeProcess::close);
        sfus.forEach(NodeProcess::close);
        try {
            stopRedis();
        } catch (IOException e) {
            // best effort: the process ends with the JVM
        }
        try {
            stopPostgres();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            deleteTlsFolder();
            deleteTree(postgresData);
        }
    }

    private static void deleteTree(Path root) {
        try (java.util.stream.Stream<Path> all = Files.walk(root)) {
            all.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary folder; the OS cleans it eventually
        }
    }

    private void deleteTlsFolder() {
        for (Path p : List.of(certificateFile, keyFile, tlsFolder)) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                // a temporary folder; the OS cleans it eventually
            }
        }
    }

    private static String secret() {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
