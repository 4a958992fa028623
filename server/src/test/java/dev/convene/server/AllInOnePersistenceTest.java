package dev.convene.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.convene.client.ConveneApi;
import dev.convene.client.ConveneClient;
import dev.convene.client.MeetingInfo;
import dev.convene.server.devcluster.NodeProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The all-in-one server as a person runs it ({@code convene}, no flags but ports): a meeting and
 * its chat outlive a clean restart, and a {@code kill -9} whose PostgreSQL is left running does
 * not block the next start.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class AllInOnePersistenceTest {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void meetingAndChatOutliveARestartAndACrash(@TempDir Path dataDir) throws Exception {
        String hostToken;
        String adaToken;
        String meetingId;
        List<Long> startupMillis = new ArrayList<>();

        try (NodeProcess first = start(dataDir, startupMillis)) {
            ConveneApi api = api(first);
            hostToken = api.guestToken("Host").accessToken();
            adaToken = api.guestToken("Ada").accessToken();
            MeetingInfo meeting = api.createMeeting(hostToken, "Kept across restarts");
            meetingId = meeting.meetingId();
            try (ConveneClient ada = ConveneClient.join(api, adaToken, meetingId, "Ada", ConveneClient.Options.defaults())) {
                ada.sendChat("said before the restart");
                ada.leave();
            }
        }
        assertThat(Files.exists(dataDir.resolve("postgres/postmaster.pid"))).as("PostgreSQL stopped with the server")
                .isFalse();

        try (NodeProcess second = start(dataDir, startupMillis)) {
            ConveneApi api = api(second);
            // The tokens from before the restart still verify: the key is kept in the data directory.
            MeetingInfo again = api.getMeeting(hostToken, meetingId);
            assertThat(again.title()).isEqualTo("Kept across restarts");
            try (ConveneClient ada = ConveneClient.join(api, adaToken, meetingId, "Ada", ConveneClient.Options.defaults())) {
                assertThat(texts(second, adaToken, meetingId)).containsExactly("said before the restart");
                ada.sendChat("said before the crash");
                // Chat is written behind the echo; a crash may lose what is not written yet.
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> texts(second, adaToken, meetingId).contains("said before the crash"));
            }
            second.kill();
        }
        assertThat(Files.exists(dataDir.resolve("postgres/postmaster.pid"))).as("kill -9 left PostgreSQL running")
                .isTrue();

        try (NodeProcess third = start(dataDir, startupMillis)) {
            assertThat(third.output()).anyMatch(l -> l.contains("event=local_postgres_orphan_stopping"));
            assertThat(texts(third, hostToken, meetingId))
                    .containsExactly("said before the restart", "said before the crash");
            JsonNode meeting = get(third, hostToken, "/v1/meetings/" + meetingId);
            assertThat(meeting.path("participant_count").asInt()).as("no ghosts from the crashed run").isZero();
        }
        System.out.println("event=all_in_one_startup first_ms=" + startupMillis.get(0) + " restart_ms="
                + startupMillis.get(1) + " after_kill_ms=" + startupMillis.get(2));
    }

    private static NodeProcess start(Path dataDir, List<Long> startupMillis) {
        long t0 = System.nanoTime();
        NodeProcess node = NodeProcess.start("all", List.of("--data-dir", dataDir.toString(),
                "--http-host", "127.0.0.1", "--http-port", "0", "--media-host", "127.0.0.1", "--media-port", "0"),
                START_TIMEOUT, null);
        startupMillis.add((System.nanoTime() - t0) / 1_000_000);
        return node;
    }

    private static ConveneApi api(NodeProcess node) {
        return new ConveneApi(URI.create(node.url()));
    }

    private List<String> texts(NodeProcess node, String token, String meetingId) throws Exception {
        List<String> texts = new ArrayList<>();
        get(node, token, "/v1/meetings/" + meetingId + "/messages").path("messages")
                .forEach(m -> texts.add(m.path("text").asText()));
        return texts;
    }

    private JsonNode get(NodeProcess node, String token, String path) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(node.url() + path))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json.readTree(response.body());
    }
}
