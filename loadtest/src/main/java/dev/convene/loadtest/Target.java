package dev.convene.loadtest;

import dev.convene.server.AllInOneServer;
import dev.convene.server.ServerOptions;
import dev.convene.signaling.SignalingConfig;
import dev.convene.store.RateLimiter.Limit;
import java.net.URI;
import java.time.Duration;

/** The server under load: one we start in this process, or one at a URL (and maybe its pid on this machine). */
interface Target extends AutoCloseable {

    URI baseUrl();

    /** The server's process id on this machine, -1 when unknown. */
    long pid();

    /** For the report: what was measured. */
    String description();

    @Override
    void close();

    /**
     * An all-in-one server on loopback with ephemeral ports and in-memory stores, limits opened
     * up: every bot comes from 127.0.0.1, which the per-address limits would otherwise stop.
     */
    static Target embedded() throws InterruptedException {
        Limit plenty = Limit.of(100_000_000, Duration.ofMinutes(1));
        ServerOptions options = ServerOptions.forTests()
                .withRateLimits(new SignalingConfig.RateLimits(plenty, plenty, plenty, plenty))
                .withHardening(SignalingConfig.Hardening.DEFAULTS.withGuestPerAddress(plenty)
                        .withClaims(Duration.ofSeconds(30), 1_000_000)
                        .withHttp(new SignalingConfig.HttpLimits(256, 8, 16_384, 16_384)));
        AllInOneServer server = AllInOneServer.start(options);
        URI url = URI.create("http://127.0.0.1:" + server.httpPort());
        return new Target() {
            @Override
            public URI baseUrl() {
                return url;
            }

            @Override
            public long pid() {
                return ProcessHandle.current().pid();
            }

            @Override
            public String description() {
                return "embedded all-in-one server (in the bots' JVM; process CPU and heap include the bots)";
            }

            @Override
            public void close() {
                server.close();
            }
        };
    }

    static Target remote(URI url, long pid) {
        return new Target() {
            @Override
            public URI baseUrl() {
                return url;
            }

            @Override
            public long pid() {
                return pid;
            }

            @Override
            public String description() {
                return "server at " + url + (pid > 0 ? " (pid " + pid + ")" : " (no pid: no CPU or memory figures)");
            }

            @Override
            public void close() {
            }
        };
    }
}
