package dev.convene.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image tarball the build made (scripts/build-image): its manifest, config and layers are
 * what a runtime needs, and — with no container runtime here — its file system, unpacked and
 * entered with {@code chroot} as the image's user, runs the server and its health check.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ContainerImageIT {

    private static final Path IMAGE = Path.of(System.getProperty("convene.image", "target/convene-image.tar"));
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path work;
    private static Path archive;
    private static JsonNode manifest;
    private static JsonNode config;

    @BeforeAll
    static void unpack() throws Exception {
        assertThat(IMAGE).as("the build makes the image").exists();
        archive = Files.createDirectory(work.resolve("archive"));
        run(List.of("tar", "-xf", IMAGE.toString(), "-C", archive.toString()), Duration.ofSeconds(60));
        manifest = JSON.readTree(archive.resolve("manifest.json").toFile()).get(0);
        config = JSON.readTree(archive.resolve(manifest.path("Config").asText()).toFile());
    }

    @Test
    void configRunsTheJarAsANonRootUserWithAHealthCheck() {
        JsonNode c = config.path("config");
        assertThat(manifest.path("RepoTags").get(0).asText()).startsWith("convene:");
        assertThat(config.path("os").asText()).isEqualTo("linux");
        assertThat(c.path("User").asText()).isEqualTo("65532:65532");
        assertThat(values(c.path("Entrypoint"))).startsWith("/opt/java/bin/java").endsWith("-jar", "/app/convene.jar");
        assertThat(values(c.path("Healthcheck").path("Test"))).startsWith("CMD", "/opt/java/bin/java").endsWith("health");
        assertThat(c.path("ExposedPorts").has("8080/tcp")).isTrue();
        assertThat(c.path("ExposedPorts").has("50000/udp")).isTrue();
    }

    @Test
    void layersAreTheOnesTheConfigNames() throws Exception {
        List<String> diffIds = values(config.path("rootfs").path("diff_ids"));
        List<String> layers = values(manifest.path("Layers"));
        assertThat(layers).hasSameSizeAs(diffIds);
        for (int i = 0; i < layers.size(); i++) {
            assertThat("sha256:" + sha256(archive.resolve(layers.get(i)))).isEqualTo(diffIds.get(i));
        }
        String files = run(List.of("tar", "-tf", archive.resolve(layers.get(0)).toString()), Duration.ofSeconds(30));
        assertThat(files).contains("opt/java/bin/java", "lib/x86_64-linux-gnu/libc.so.6", "etc/passwd");
        assertThat(run(List.of("tar", "-tf", archive.resolve(layers.get(1)).toString()), Duration.ofSeconds(30)))
                .contains("app/convene.jar");
    }

    @Test
    void itsFileSystemRunsTheServerAsItsUser() throws Exception {
        assumeThat(ProcessHandle.current().info().user().orElse("")).as("chroot needs root").isEqualTo("root");
        Path root = Files.createDirectory(work.resolve("root"));
        for (String layer : values(manifest.path("Layers"))) {
            run(List.of("tar", "-xf", archive.resolve(layer).toString(), "-C", root.toString()), Duration.ofSeconds(60));
        }
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        // A private mount namespace with /proc (the runtime's $ORIGIN lookup reads /proc/self/exe),
        // then the image's entrypoint as the image's user: what a container runtime would do, less isolation.
        List<String> entrypoint = values(config.path("config").path("Entrypoint"));
        String inside = "mount -t proc proc " + root + "/proc && exec chroot --userspec=65532:65532 " + root + " "
                + String.join(" ", entrypoint) + " --ephemeral --http-host 127.0.0.1 --http-port " + port
                + " --media-host 127.0.0.1 --media-port 0";
        ProcessBuilder builder = new ProcessBuilder("unshare", "-m", "--fork", "sh", "-c", inside)
                .redirectErrorStream(true).redirectOutput(work.resolve("server.log").toFile());
        // Start fast on a shared 2-core machine, as NodeProcess does; the image itself is unchanged.
        builder.environment().put("JAVA_TOOL_OPTIONS", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx256m");
        long started = System.nanoTime();
        Process server = builder.start();
        try {
            HttpClient http = HttpClient.newHttpClient();
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                    .until(() -> http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz")).build(),
                            HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
            System.out.println("event=image_server_healthy after_ms=" + (System.nanoTime() - started) / 1_000_000);
            // The image's own health check, run inside it as a runtime would.
            List<String> check = new ArrayList<>(List.of("chroot", "--userspec=65532:65532", root.toString()));
            check.addAll(values(config.path("config").path("Healthcheck").path("Test")).subList(1,
                    values(config.path("config").path("Healthcheck").path("Test")).size()));
            check.add("http://127.0.0.1:" + port + "/healthz");
            String out = run(List.of("unshare", "-m", "--fork", "sh", "-c", "mount -t proc proc " + root + "/proc && "
                    + "JAVA_TOOL_OPTIONS='-XX:TieredStopAtLevel=1 -XX:+UseSerialGC' exec " + String.join(" ", check)),
                    Duration.ofSeconds(60));
            assertThat(out).contains("healthy");
            // Native I/O inside the image: the media port's own recvmmsg socket on JDK 22+ (ADR 0027),
            // registered on Netty's epoll loop; never Netty's NIO fallback.
            assertThat(Files.readString(work.resolve("server.log"))).contains("transport=ffm-recvmmsg");
        } finally {
            server.toHandle().descendants().forEach(ProcessHandle::destroy);
            server.destroy();
            server.waitFor(20, TimeUnit.SECONDS);
            server.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
            server.destroyForcibly();
        }
    }

    private static List<String> values(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asText()));
        return values;
    }

    private static String sha256(Path file) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** Runs a command to its end within {@code limit}; fails with its output if it fails. */
    private static String run(List<String> command, Duration limit) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)).as("%s ended", command).isTrue();
        String text = new String(out);
        assertThat(p.exitValue()).as("%s: %s", command, text).isZero();
        return text;
    }
}
