package dev.convene.server;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The all-in-one server's data directory: a PostgreSQL of its own (the Maven-packaged binaries
 * the dev cluster uses), started here and stopped on close, so meetings and chat outlive a
 * restart; and the JWT key, so tokens handed out before a restart still work after it.
 *
 * <pre>
 * convene-data/
 *   postgres/   the cluster's files (initdb on first start)
 *   jwt-keys    kid:secret, mode 600, made on first start unless --jwt-keys is given
 * </pre>
 *
 * <p>PostgreSQL runs as a separate process that outlives a JVM killed with {@code kill -9}; the
 * next start finds it through {@code postmaster.pid} and stops it before starting its own, so a
 * crash never blocks a restart.
 */
public final class LocalData implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LocalData.class);
    private static final Duration ORPHAN_STOP_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration PG_START_TIMEOUT = Duration.ofSeconds(60);

    private final Path directory;
    private final EmbeddedPostgres postgres;

    private LocalData(Path directory, EmbeddedPostgres postgres) {
        this.directory = directory;
        this.postgres = postgres;
    }

    /** Creates the directory if needed and starts its PostgreSQL. */
    public static LocalData open(Path directory) {
        Path dir = directory.toAbsolutePath().normalize();
        Path pgData = dir.resolve("postgres");
        long started = System.nanoTime();
        try {
            Files.createDirectories(dir);
            boolean fresh = !Files.exists(pgData.resolve("PG_VERSION"));
            stopOrphan(pgData);
            EmbeddedPostgres pg = EmbeddedPostgres.builder()
                    .setDataDirectory(pgData)
                    .setCleanDataDirectory(false)
                    // Our own shutdown hook stops it, after the stores have flushed chat into it.
                    .setRegisterShutdownHook(false)
                    .setPGStartupWait(PG_START_TIMEOUT)
                    // A committed write is on disk before PostgreSQL answers, so it survives a power cut too.
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("max_connections", "30")
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    .start();
            log.info("event=local_postgres_started dir={} port={} fresh={} startup_ms={}", pgData, pg.getPort(), fresh,
                    (System.nanoTime() - started) / 1_000_000);
            return new LocalData(dir, pg);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start PostgreSQL in " + pgData + ": " + e.getMessage(), e);
        }
    }

    /**
     * A PostgreSQL left running by a previous server that was killed: stop it (its clients are
     * gone, so a smart shutdown ends at once). A {@code postmaster.pid} whose process is gone, or
     * is not our PostgreSQL (a reused pid after a reboot), is removed, as PostgreSQL would refuse
     * to start over a pid that names a live process.
     */
    static void stopOrphan(Path pgData) throws IOException {
        Path pidFile = pgData.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
        long pid;
        try {
            pid = lines.isEmpty() ? -1 : Long.parseLong(lines.getFirst().strip());
        } catch (NumberFormatException e) {
            pid = -1;
        }
        Optional<ProcessHandle> process = pid > 0 ? ProcessHandle.of(pid) : Optional.empty();
        if (process.isPresent() && isPostmasterOf(process.get(), pgData)) {
            ProcessHandle orphan = process.get();
            log.warn("event=local_postgres_orphan_stopping pid={} dir={}", pid, pgData);
            orphan.destroy();
            try {
                orphan.onExit().get(ORPHAN_STOP_TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                throw new IOException("PostgreSQL (pid " + pid + ") left by an earlier run did not stop within "
                        + ORPHAN_STOP_TIMEOUT.toSeconds() + " s; stop it and start again");
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while stopping PostgreSQL pid " + pid, e);
            }
            log.info("event=local_postgres_orphan_stopped pid={}", pid);
        } else {
            log.info("event=local_postgres_stale_pid_removed pid={} dir={}", pid, pgData);
        }
        Files.deleteIfExists(pidFile);
    }

    private static boolean isPostmasterOf(ProcessHandle process, Path pgData) {
        ProcessHandle.Info info = process.info();
        boolean postgres = info.command().map(c -> c.endsWith("/postgres")).orElse(false);
        // pg_ctl starts it as "postgres -D <dir> ..."; a process we cannot inspect is not taken for ours.
        boolean ours = info.arguments().map(args -> List.of(args).contains(pgData.toString())).orElse(false);
        return postgres && ours;
    }

    /** JDBC URL of the local PostgreSQL, user {@code postgres}, trust authentication on loopback. */
    public String jdbcUrl() {
        return postgres.getJdbcUrl("postgres", "postgres");
    }

    public Path directory() {
        return directory;
    }

    /**
     * The JWT keys of this directory: read from {@code jwt-keys}, or one random key written there
     * on first use (readable by the owner only).
     */
    public List<JwtKeyOption> jwtKeys() {
        return jwtKeys(directory);
    }

    static List<JwtKeyOption> jwtKeys(Path directory) {
        Path file = directory.resolve("jwt-keys");
        try {
            if (!Files.exists(file)) {
                byte[] secret = new byte[32];
                new SecureRandom().nextBytes(secret);
                Path tmp = Files.createTempFile(directory, "jwt-keys", ".tmp",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                Files.writeString(tmp, "local:" + HexFormat.of().formatHex(secret) + "\n");
                Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                log.info("event=jwt_key_created file={}", file);
            }
            String value = Files.readString(file, StandardCharsets.UTF_8).strip();
            return JwtKeyOption.parse(List.of(value.split("[,\\s]+")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or write " + file + ": " + e.getMessage(), e);
        }
    }

    /** Stops PostgreSQL (a fast, clean shutdown: nothing to recover on the next start). */
    @Override
    public void close() {
        try {
            postgres.close();
            log.info("event=local_postgres_stopped dir={}", directory);
        } catch (IOException e) {
            log.warn("event=local_postgres_stop_failed error=\"{}\"", e.getMessage());
        }
    }
}
