package dev.convene.server.netns;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A Linux network namespace that a test creates and deletes, so the test can use real,
 * non-loopback addresses, firewalls and impairment without touching the machine's network.
 *
 * <p>The topology the tests build from it (each box is a namespace; the host's own network is
 * never used, and nothing is routed out of a namespace):
 *
 * <pre>
 *  ┌──────── server namespace (cv-srv-…) ─────────┐         ┌──────── client namespace (cv-cli-…) ────────┐
 *  │ lo 127.0.0.1                                  │         │ lo 127.0.0.1                                 │
 *  │ Convene (NamespacedServer): http :8080,       │  veth   │ socat 127.0.0.1:8080 → 10.77.0.1:8080        │
 *  │   media UDP :50000 on the wildcard address    │◀───────▶│   (forwardPort: pages open http://localhost, │
 *  │ veth 10.77.0.1/24  (or, alone, a local        │         │    a secure context for getUserMedia)        │
 *  │   interface with the default route into it)   │         │ veth 10.77.0.2/24                            │
 *  │ Chromium pages of the same-namespace tests    │         │ Chromium (NamespacedChromium), nft, netem    │
 *  └───────────────────────────────────────────────┘         └──────────────────────────────────────────────┘
 * </pre>
 *
 * <p>Interfaces live only inside the namespaces (a veth pair is created from inside one
 * namespace straight into the other), so fixed 10.x test subnets never clash with other tests
 * or the host, and deleting the namespaces removes them. {@link #close()} ends every process
 * still running inside, then deletes the namespace. Needs root and {@code ip} (iproute2).
 */
public final class NetNamespace implements AutoCloseable {

    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Path LOGS = Path.of(System.getProperty("convene.artifacts", "target/artifacts"), "netns");

    private final String name;
    private final List<Process> processes = new CopyOnWriteArrayList<>();
    private boolean closed;

    private NetNamespace(String name) {
        this.name = name;
    }

    /**
     * Creates {@code cv-<label>-<random>} with {@code lo} up.
     *
     * @param label a few letters naming the namespace's role in the test, e.g. {@code srv}
     */
    public static NetNamespace create(String label) {
        requireRootAndIp();
        byte[] id = new byte[3];
        RANDOM.nextBytes(id);
        String name = "cv-" + label.replaceAll("[^a-z0-9]", "") + "-" + HexFormat.of().formatHex(id);
        host("ip", "netns", "add", name);
        NetNamespace ns = new NetNamespace(name);
        try {
            ns.run("ip", "link", "set", "lo", "up");
            return ns;
        } catch (RuntimeException e) {
            ns.close();
            throw e;
        }
    }

    public String name() {
        return name;
    }

    /** The words that run a command inside this namespace: {@code ip netns exec NAME}. */
    public List<String> launcher() {
        return List.of("ip", "netns", "exec", name);
    }

    /** Runs a command inside the namespace, waits for it, and returns its output; fails with the output if it fails. */
    public String run(String... command) {
        return host(inside(command));
    }

    /** Runs a command inside the namespace with {@code stdin} as its input. */
    public String runWithInput(String stdin, String... command) {
        return execute(inside(command), stdin);
    }

    /**
     * Starts a long-running command inside the namespace; it is ended by {@link #close()}. Its
     * output goes to {@code <artifacts>/netns/<namespace>-<program>.log}.
     */
    public Process start(String... command) {
        try {
            Files.createDirectories(LOGS);
            String program = Path.of(command[0]).getFileName().toString();
            Path log = LOGS.resolve(name + "-" + program + "-" + processes.size() + ".log");
            Process process = new ProcessBuilder(inside(command)).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            processes.add(process);
            return process;
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + String.join(" ", command) + " in " + name, e);
        }
    }

    /**
     * Starts a long-running command inside the namespace that the caller talks to: its standard
     * input and output (with standard error) are pipes. It is ended by {@link #close()}, as
     * {@link #start} processes are.
     */
    public Process startInteractive(String... command) {
        try {
            Process process = new ProcessBuilder(inside(command)).redirectErrorStream(true).start();
            processes.add(process);
            return process;
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + String.join(" ", command) + " in " + name, e);
        }
    }

    /** Adds an address to an interface of this namespace and brings the interface up. */
    public void addAddress(String device, String cidr) {
        run("ip", "address", "add", cidr, "dev", device);
        run("ip", "link", "set", device, "up");
    }

    /**
     * A non-loopback interface with {@code cidr} and the default route into it: the namespace
     * then looks like a host with one network card, and nothing can leave it. It is one end of a
     * veth pair whose other end stays in the namespace, as the kernels we run on have no
     * {@code dummy} driver.
     *
     * @param device the interface's name (at most 13 characters; its peer is {@code device + "-p"})
     */
    public void addLocalInterfaceWithDefaultRoute(String device, String cidr) {
        run("ip", "link", "add", device, "type", "veth", "peer", "name", device + "-p");
        run("ip", "link", "set", device + "-p", "up");
        addAddress(device, cidr);
        run("ip", "route", "add", "default", "dev", device);
    }

    /**
     * Connects this namespace and {@code peer} with a veth pair, {@code cidr} on this end and
     * {@code peerCidr} on the peer's (same subnet, e.g. 10.77.0.1/24 and 10.77.0.2/24).
     *
     * @return the two ends
     */
    public Veth connect(NetNamespace peer, String cidr, String peerCidr) {
        String device = "veth-" + peer.suffix();
        String peerDevice = "veth-" + suffix();
        run("ip", "link", "add", device, "type", "veth", "peer", "name", peerDevice, "netns", peer.name);
        addAddress(device, cidr);
        peer.addAddress(peerDevice, peerCidr);
        return new Veth(device, address(cidr), peerDevice, address(peerCidr));
    }

    /** The two ends of a veth pair: device and address in this namespace, then in the peer. */
    public record Veth(String device, String address, String peerDevice, String peerAddress) {}

    /** Loads an nftables ruleset (the text {@code nft -f} reads) into this namespace. */
    public void nft(String ruleset) {
        runWithInput(ruleset, "nft", "-f", "-");
    }

    /**
     * Impairs what leaves {@code device}: {@code tc qdisc replace dev DEVICE root netem PARAMETERS},
     * e.g. {@code "loss 5% delay 40ms"}.
     */
    public void netem(String device, String parameters) {
        List<String> command = new ArrayList<>(List.of("tc", "qdisc", "replace", "dev", device, "root", "netem"));
        command.addAll(List.of(parameters.trim().split("\\s+")));
        try {
            run(command.toArray(String[]::new));
        } catch (IllegalStateException e) {
            if (e.getMessage().contains("qdisc kind is unknown")) {
                throw new IllegalStateException("this kernel has no netem (sch_netem); impair with nft (random drop: "
                        + "'numgen random mod 100 < 5 drop'), tbf (rate) or an in-process relay instead", e);
            }
            throw e;
        }
    }

    /**
     * Makes {@code 127.0.0.1:localPort} in this namespace a TCP relay to {@code host:port} (socat),
     * so a browser here can open {@code http://localhost:localPort} — a secure context — while
     * the server is in another namespace. Returns once the relay listens.
     */
    public void forwardPort(int localPort, String host, int port) {
        // -t: after one side ends, wait for the other as long as a loaded server may take to answer
        // (socat's default is 0.5 s, after which it cuts the reply off).
        start("socat", "-t", "30", "TCP-LISTEN:" + localPort + ",bind=127.0.0.1,fork,reuseaddr",
                "TCP:" + host + ":" + port);
        awaitListening(localPort, Duration.ofSeconds(10));
    }

    /** Waits (bounded) until something in this namespace listens on TCP {@code port}. */
    public void awaitListening(int port, Duration timeout) {
        await("TCP " + port + " listening in " + name).atMost(timeout).pollInterval(Duration.ofMillis(50))
                .until(() -> !run("ss", "-Hltn", "sport = :" + port).isBlank());
    }

    /** Ends every process started in the namespace (and any left inside it), then deletes it. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Process p : processes) {
            p.destroy();
        }
        for (Process p : processes) {
            try {
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
        }
        try {
            for (String pid : host("ip", "netns", "pids", name).split("\\s+")) {
                if (!pid.isBlank()) {
                    ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
        } catch (RuntimeException e) {
            // the namespace is deleted below either way; a process left inside keeps only itself alive
        }
        host("ip", "netns", "delete", name);
    }

    private String suffix() {
        return name.substring(name.lastIndexOf('-') + 1);
    }

    private List<String> inside(String... command) {
        List<String> full = new ArrayList<>(launcher());
        full.addAll(List.of(command));
        return full;
    }

    private static String address(String cidr) {
        int slash = cidr.indexOf('/');
        return slash < 0 ? cidr : cidr.substring(0, slash);
    }

    private static void requireRootAndIp() {
        if (!Files.isExecutable(Path.of("/usr/sbin/ip")) && !Files.isExecutable(Path.of("/sbin/ip"))
                && !Files.isExecutable(Path.of("/usr/bin/ip"))) {
            throw new IllegalStateException("network-namespace tests need iproute2's ip (apt-get install iproute2)");
        }
        String uid = host("id", "-u").strip();
        if (!uid.equals("0")) {
            throw new IllegalStateException("network-namespace tests need root (ip netns add); running as uid " + uid);
        }
    }

    private static String host(String... command) {
        return execute(List.of(command), null);
    }

    private static String host(List<String> command) {
        return execute(command, null);
    }

    private static String execute(List<String> command, String stdin) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            if (stdin != null) {
                process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            process.getOutputStream().close();
            if (!process.waitFor(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("`" + String.join(" ", command) + "` did not finish in " + COMMAND_TIMEOUT);
            }
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                throw new IllegalStateException("`" + String.join(" ", command) + "` failed with exit code "
                        + process.exitValue() + ": " + output.strip());
            }
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException("could not run `" + String.join(" ", command) + "`", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + String.join(" ", command), e);
        }
    }
}
