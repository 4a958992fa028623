package dev.convene.server.netns;

import dev.convene.server.devcluster.NodeProcess;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The all-in-one server ({@code ConveneMain}) as a child JVM inside a {@link NetNamespace}: it
 * binds and enumerates the namespace's interfaces, not the host's, so its defaults are tested
 * as a user would run them.
 */
public final class NamespacedServer implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final NodeProcess process;

    private NamespacedServer(NodeProcess process) {
        this.process = process;
    }

    /**
     * Starts {@code convene} with {@code args} (nothing else but {@code --ephemeral}: an empty list
     * is the default configuration — HTTP 8080 and media UDP 50000 on every address — without the
     * data directory, which these network tests do not need) and waits for its banner.
     */
    public static NamespacedServer start(NetNamespace ns, List<String> args) {
        List<String> all = new ArrayList<>(args);
        all.add("--ephemeral");
        return new NamespacedServer(NodeProcess.start("convene@" + ns.name(), ns.launcher(), all, START_TIMEOUT, System.out));
    }

    /** The HTTP port the server announced. */
    public int httpPort() {
        return URI.create(process.url()).getPort();
    }

    /** The web client as a browser in the server's namespace opens it: {@code http://localhost:PORT}. */
    public String localUrl() {
        return "http://localhost:" + httpPort();
    }

    /** What the server has printed so far. */
    public List<String> output() {
        return process.output();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        process.close();
    }
}
