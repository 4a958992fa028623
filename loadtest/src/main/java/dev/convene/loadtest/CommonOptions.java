package dev.convene.loadtest;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/** Options every scenario takes. */
final class CommonOptions {

    @Option(names = "--server", description = "URL of the server to load, e.g. https://meet.example.org (or --embedded)")
    URI server;

    @Option(names = "--embedded", description = "start an all-in-one server in this process on ephemeral ports, in memory")
    boolean embedded;

    @Option(names = "--server-pid", defaultValue = "-1",
            description = "the server's process id on this machine: CPU from /proc, RSS, heap via jcmd")
    long serverPid;

    @Option(names = "--duration", defaultValue = "30s", converter = DurationConverter.class,
            description = "how long the measured window lasts (default ${DEFAULT-VALUE})")
    Duration duration;

    @Option(names = "--warmup", defaultValue = "5s", converter = DurationConverter.class,
            description = "media flowing before the window opens (default ${DEFAULT-VALUE})")
    Duration warmup;

    @Option(names = "--join-concurrency", defaultValue = "8", description = "bots joining at once (default ${DEFAULT-VALUE})")
    int joinConcurrency;

    @Option(names = "--client-timeout", defaultValue = "30s", converter = DurationConverter.class,
            description = "bound on each bot's blocking step: join, publish, connect (default ${DEFAULT-VALUE})")
    Duration clientTimeout;

    @Option(names = "--out", defaultValue = "loadtest-reports",
            description = "directory for <scenario>-<time>.json/.html/-*.png (default ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--log-level", defaultValue = "warn", description = "server and client log level (default ${DEFAULT-VALUE})")
    String logLevel;

    /** Parses 30s, 2m, 500ms, 1h. */
    static final class DurationConverter implements picocli.CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            return parse(value);
        }

        static Duration parse(String value) {
            String v = value.strip().toLowerCase(java.util.Locale.ROOT);
            if (v.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
            }
            long n = Long.parseLong(v.substring(0, v.length() - 1));
            return switch (v.charAt(v.length() - 1)) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                default -> throw new IllegalArgumentException("a duration like 30s, 2m, 500ms: " + value);
            };
        }
    }
}
