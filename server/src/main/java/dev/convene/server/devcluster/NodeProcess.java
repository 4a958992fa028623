package dev.convene.server.devcluster;

import dev.convene.server.ConveneMain;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One Convene node in a child JVM: its output, the URL its banner announces, and how it ends. */
public final class NodeProcess implements AutoCloseable {

    private static final Pattern URL = Pattern.compile("(https?|wss?)://[^ ,]+");

    private final String name;
    private final Process process;
    private final List<String> output = new CopyOnWriteArrayList<>();
    private final CompletableFuture<String> banner = new CompletableFuture<>();

    private NodeProcess(String name, Process process, PrintStream echo) {
        this.name = name;
        this.process = process;
        Thread.ofPlatform().daemon().name("out-" + name).start(() -> {
            try (BufferedReader in = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    output.add(line);
                    if (echo != null) {
                        echo.println("[" + name + "] " + line);
                    }
                    if (line.startsWith("Convene ") && line.contains(" is running")) {
                        banner.complete(line);
                    }
                }
            } catch (IOException e) {
                // the process is gone
            }
            banner.completeExceptionally(new IllegalStateException(name + " exited before it was running:\n"
                    + String.join("\n", output.subList(Math.max(0, output.size() - 30), output.size()))));
        });
    }

    /** Starts {@code convene} with {@code args} on this JVM's classpath and waits for its banner. */
    public static NodeProcess start(String name, List<String> args, Duration timeout, PrintStream echo) {
        return start(name, List.of(), args, timeout, echo);
    }

    /**
     * As {@link #start(String, List, Duration, PrintStream)}, with the {@code java} command put
     * after {@code launcher}, e.g. {@code ip netns exec NS} to run the node in a network namespace.
     */
    public static NodeProcess start(String name, List<String> launcher, List<String> args, Duration timeout,
            PrintStream echo) {
        List<String> command = new ArrayList<>(launcher);
        command.addAll(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), ConveneMain.class.getName()));
        command.addAll(args);
        NodeProcess node = null;
        try {
            node = new NodeProcess(name, new ProcessBuilder(command).redirectErrorStream(true).start(), echo);
            node.banner.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return node;
        } catch (Exception e) {
            if (node != null) {
                node.kill();
            }
            throw new IllegalStateException(name + " did not start: " + e.getMessage(), e);
        }
    }

    public String name() {
        return name;
    }

    /** The first URL in the node's banner: the web/API URL of a signaling node, the control URL of an SFU. */
    public String url() {
        Matcher m = URL.matcher(banner.join());
        if (!m.find()) {
            throw new IllegalStateException("no URL in the banner of " + name + ": " + banner.join());
        }
        return m.group();
    }

    public List<String> output() {
        return List.copyOf(output);
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Ends the node the hard way, as a crash would. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The child JVM's process id. */
    public long pid() {
        return process.pid();
    }

    /** SIGSTOP: the node freezes as a whole, sockets open, as a long pause or a stuck host would. */
    public void suspend() {
        signal("STOP");
    }

    /** SIGCONT after {@link #suspend}. */
    public void resume() {
        signal("CONT");
    }

    private void signal(String name) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while signalling " + name, e);
        }
    }

    /** SIGTERM, then a bounded wait for a clean exit. */
    @Override
    public void close() {
        process.toHandle().destroy();
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
