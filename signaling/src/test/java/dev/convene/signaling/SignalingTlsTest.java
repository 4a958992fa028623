package dev.convene.signaling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.convene.signaling.placement.SingleSfuDirectory;
import dev.convene.signaling.testing.FakeSfuNode;
import dev.convene.signaling.testing.TestServer;
import dev.convene.tls.ServerTls;
import dev.convene.tls.TlsContexts;
import dev.convene.tls.TlsIdentity;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The HTTP port on TLS: API, join links and the signaling socket over HTTPS/WSS, HSTS, plaintext refused. */
class SignalingTlsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void apiAndSocketWorkOverTlsAndAPlaintextPeerIsRefusedAndCounted() throws Exception {
        Clock clock = Clock.systemUTC();
        TlsIdentity identity = TlsIdentity.selfSigned(List.of(), Duration.ofDays(1), clock);
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (SignalingServer server = SignalingServer.start(
                SignalingConfig.defaults(List.of(TestServer.KEY_1)).withBind("127.0.0.1", 0),
                HttpEdge.PLAIN.withTls(ServerTls.of(identity)), SignalingStores.inMemory(clock),
                new SingleSfuDirectory(new FakeSfuNode(), "local"), clock, registry)) {
            String base = "https://localhost:" + server.port();
            HttpClient https = HttpClient.newBuilder().sslContext(TlsContexts.trusting(identity.chain(), null)).build();

            HttpResponse<String> guest = https.send(HttpRequest.newBuilder(URI.create(base + "/v1/auth/guest"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"display_name\":\"Ada\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(guest.statusCode()).isEqualTo(200);
            assertThat(guest.headers().firstValue("Strict-Transport-Security")).hasValue("max-age=31536000");
            String token = JSON.readTree(guest.body()).path("access_token").asText();

            HttpResponse<String> created = https.send(HttpRequest.newBuilder(URI.create(base + "/v1/meetings"))
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
            String meeting = JSON.readTree(created.body()).path("meeting_id").asText();
            JsonNode join = JSON.readTree(https.send(HttpRequest.newBuilder(URI.create(base + "/v1/meetings/" + meeting + "/join"))
                    .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString()).body());
            URI socket = URI.create(join.path("signaling_url").asText() + "?token=" + join.path("token").asText());
            assertThat(socket.getScheme()).isEqualTo("wss");

            CompletableFuture<String> first = new CompletableFuture<>();
            WebSocket ws = https.newWebSocketBuilder().buildAsync(socket, new WebSocket.Listener() {
                @Override
                public java.util.concurrent.CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                    first.complete(data.toString());
                    return null;
                }
            }).get(10, TimeUnit.SECONDS);
            ws.sendText("{\"v\":1,\"type\":\"join\",\"request_id\":\"j1\"}", true).get(5, TimeUnit.SECONDS);
            assertThat(JSON.readTree(first.get(10, TimeUnit.SECONDS)).path("type").asText()).isEqualTo("joined");
            ws.abort();

            HttpClient plain = HttpClient.newHttpClient();
            assertThatThrownBy(() -> plain.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/healthz"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()))
                    .isInstanceOf(IOException.class);
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                    assertThat(registry.scrape()).containsPattern("convene_http_tls_refused_total\\{cause=\"plaintext\"} [1-9]"));
        }
    }
}
