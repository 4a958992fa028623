package dev.convene.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The server process stops cleanly on SIGTERM: every session ends, both ports close, it exits. */
class ShutdownTest {

    @Test
    void sigtermStopsTheServerCleanly() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                ConveneMain.class.getName(), "--http-host", "127.0.0.1", "--http-port", "0",
                "--media-host", "127.0.0.1", "--media-port", "0", "--ephemeral")
                .redirectErrorStream(true)
                .start();
        List<String> output = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> running = new CompletableFuture<>();
        Thread reader = Thread.ofVirtual().start(() -> {
            try (BufferedReader in = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    output.add(line);
                    if (line.startsWith("Convene is running")) {
                        running.complete(null);
                    }
                }
            } catch (IOException e) {
                running.completeExceptionally(e);
            }
        });
        try {
            running.get(30, TimeUnit.SECONDS);
            // SIGTERM; ProcessHandle, because Process.destroy() also closes our end of its output.
            assertThat(process.toHandle().destroy()).isTrue();
            assertThat(process.waitFor(15, TimeUnit.SECONDS)).as("exited after SIGTERM").isTrue();
            assertThat(reader.join(Duration.ofSeconds(5))).as("output read to the end").isTrue();
            assertThat(output).as("exit %d", process.exitValue()).anyMatch(l -> l.contains("event=signaling_stopped"))
                    .anyMatch(l -> l.contains("event=sfu_stopped"))
                    .anyMatch(l -> l.contains("event=server_stopped"));
        } finally {
            process.destroyForcibly();
        }
    }
}
