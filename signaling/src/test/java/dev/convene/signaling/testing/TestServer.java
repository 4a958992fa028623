package dev.convene.signaling.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.convene.signaling.SignalingConfig;
import dev.convene.signaling.SignalingConfig.JwtKey;
import dev.convene.signaling.SignalingServer;
import dev.convene.signaling.SignalingStores;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/** A signaling server on 127.0.0.1 with a free port, in-memory stores and a fake SFU, plus HTTP helpers. */
public final class TestServer implements AutoCloseable {

    public static final JwtKey KEY_1 = new JwtKey("k1", "first-test-secret-0123456789-abcdefghij");
    public static final JwtKey KEY_2 = new JwtKey("k2", "second-test-secret-0123456789-abcdefghij");

    private static final ObjectMapper JSON = new ObjectMapper();

    public final SignalingStores stores;
    public final FakeSfuNode sfu = new FakeSfuNode();
    public final SignalingServer server;
    public final SignalingConfig config;
    public final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<WsTestClient> clients = new ArrayList<>();

    public TestServer() {
        this(c -> c, Clock.systemUTC());
    }

    public TestServer(UnaryOperator<SignalingConfig> tweak, Clock clock) {
        this(tweak, clock, SignalingStores.inMemory(clock));
    }

    public TestServer(UnaryOperator<SignalingConfig> tweak, Clock clock, SignalingStores stores) {
        this(tweak, clock, stores, null);
    }

    /** With {@code sfus} placing meetings (null: the one {@link #sfu}). */
    public TestServer(UnaryOperator<SignalingConfig> tweak, Clock clock, SignalingStores stores,
            dev.convene.signaling.placement.SfuDirectory sfus) {
        this.stores = stores;
        // No resume grace unless a test asks for one: a closed socket leaves at once, as most tests expect.
        this.config = tweak.apply(SignalingConfig.defaults(List.of(KEY_1)).withBind("127.0.0.1", 0)
                .withResumeGrace(java.time.Duration.ZERO));
        this.server = sfus == null ? SignalingServer.start(config, stores, sfu, clock)
                : SignalingServer.start(config, stores, sfus, clock,
                        new io.micrometer.prometheusmetrics.PrometheusMeterRegistry(
                                io.micrometer.prometheusmetrics.PrometheusConfig.DEFAULT));
    }

    public String base() {
        return "http://127.0.0.1:" + server.port();
    }

    public String signalingUrl() {
        return "ws://127.0.0.1:" + server.port() + "/v1/signal";
    }

    public record Response(int status, JsonNode body, HttpResponse<String> raw) {
        public String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }

        public String contentType() {
            return header("Content-Type");
        }
    }

    public Response request(String method, String path, String token, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(10));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode json = null;
            String ct = r.headers().firstValue("Content-Type").orElse("");
            if (ct.contains("json") && !r.body().isEmpty()) {
                json = JSON.readTree(r.body());
            }
            return new Response(r.statusCode(), json, r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public String guestToken(String name) {
        Response r = request("POST", "/v1/auth/guest", null, "{\"display_name\":\"" + name + "\"}");
        assertThat(r.status()).isEqualTo(200);
        return r.body().get("access_token").asText();
    }

    public String createMeeting(String token, int capacity) {
        Response r = request("POST", "/v1/meetings", token, "{\"title\":\"Test\",\"capacity\":" + capacity + "}");
        assertThat(r.status()).isEqualTo(201);
        return r.body().get("meeting_id").asText();
    }

    public Response join(String token, String meetingId) {
        return request("GET", "/v1/meetings/" + meetingId + "/join", token, null);
    }

    /** A participant: its join answer and its open socket, before {@code join} is sent. */
    public record Peer(String participantId, String name, WsTestClient ws) {}

    public Peer connect(String name, String meetingId) {
        Response joined = join(guestToken(name), meetingId);
        assertThat(joined.status()).isEqualTo(200);
        WsTestClient ws = open(joined.body().get("token").asText());
        return new Peer(joined.body().get("participant_id").asText(), name, ws);
    }

    /** Connects and joins; returns once {@code joined} arrived (which {@link #lastJoined} keeps). */
    public Peer enter(String name, String meetingId) {
        Peer p = connect(name, meetingId);
        p.ws().send("{\"v\":1,\"type\":\"join\",\"request_id\":\"j1\"}");
        lastJoined = p.ws().awaitType("joined");
        return p;
    }

    public JsonNode lastJoined;

    public WsTestClient open(String token) {
        WsTestClient c = WsTestClient.connect(http, signalingUrl(), token);
        clients.add(c);
        return c;
    }

    @Override
    public void close() {
        clients.forEach(WsTestClient::close);
        server.close();
        http.close();
    }
}
