package dev.convene.server.impair;

import dev.convene.server.netns.NetNamespace;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The test's handle on an {@link ImpairingRelay} process started inside a {@link NetNamespace}
 * ({@code ip netns exec NS java -cp … ImpairingRelay …}): sets each direction's impairment and
 * reads the relay's counts. Closing it (or the namespace) ends the process.
 */
public final class NamespacedImpairingRelay implements AutoCloseable {

    private static final Duration REPLY_TIMEOUT = Duration.ofSeconds(20);

    private final Process process;
    private final Writer commands;
    private final BlockingQueue<String> replies = new LinkedBlockingQueue<>();

    private NamespacedImpairingRelay(Process process) {
        this.process = process;
        this.commands = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread.ofPlatform().daemon().name("relay-output").start(() -> {
            try (BufferedReader out = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = out.readLine()) != null; ) {
                    System.out.println("relay: " + line);
                    replies.add(line);
                }
            } catch (IOException e) {
                // The process ended.
            }
        });
    }

    /**
     * Starts a relay in {@code ns} from {@code listen} (an address of the namespace) to
     * {@code target} (loopback in the namespace), impairing only datagrams from and to
     * {@code impairedClient}; waits until it listens.
     */
    public static NamespacedImpairingRelay start(NetNamespace ns, InetSocketAddress listen, InetSocketAddress target,
            String impairedClient, long seed) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // Niced up: on a loaded machine a relay thread that waits for the CPU adds delay of its own
        // (hundreds of ms were seen at the default priority), which is not the path being imitated.
        Process p = ns.startInteractive("nice", "-n", "-5", java, "-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), ImpairingRelay.class.getName(),
                hostPort(listen), hostPort(target), impairedClient, Long.toString(seed));
        NamespacedImpairingRelay relay = new NamespacedImpairingRelay(p);
        relay.awaitReply("ready");
        return relay;
    }

    private static String hostPort(InetSocketAddress a) {
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    /** Sets what happens to the impaired client's datagrams going {@code direction} ("up" to the server, "down"). */
    public void impair(String direction, double loss, Duration delay) {
        command("impair " + direction + " " + loss + " " + delay.toMillis(), "ok impair " + direction);
    }

    /** Caps the impaired client's datagrams going {@code direction} at {@code bps} (0: no cap); see {@link ImpairingRelay}. */
    public void rate(String direction, long bps) {
        command("rate " + direction + " " + bps, "ok rate " + direction);
    }

    /** As {@link #rate(String, long)}, behind a buffer that holds {@code queue} of the rate (longer waits are dropped). */
    public void rate(String direction, long bps, Duration queue) {
        command("rate " + direction + " " + bps + " " + queue.toMillis(), "ok rate " + direction);
    }

    /** The relay's counts: relayed and dropped per direction, client addresses seen. */
    public String stats() {
        return command("stats", "stats");
    }

    private synchronized String command(String line, String expectedReplyPrefix) {
        try {
            commands.write(line + "\n");
            commands.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("the relay is gone", e);
        }
        return awaitReply(expectedReplyPrefix);
    }

    private String awaitReply(String prefix) {
        long deadline = System.nanoTime() + REPLY_TIMEOUT.toNanos();
        try {
            while (System.nanoTime() < deadline) {
                String line = replies.poll(100, TimeUnit.MILLISECONDS);
                if (line != null && line.startsWith(prefix)) {
                    return line;
                }
                if (line != null && line.startsWith("error")) {
                    throw new IllegalStateException("relay: " + line);
                }
                if (line == null && !process.isAlive() && replies.isEmpty()) {
                    throw new IllegalStateException("the relay exited with " + process.exitValue());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new IllegalStateException("no '" + prefix + "' from the relay within " + REPLY_TIMEOUT);
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
