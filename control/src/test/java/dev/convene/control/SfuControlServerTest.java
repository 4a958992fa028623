package dev.convene.control;

import static dev.convene.control.ControlTestSupport.KEY;
import static dev.convene.control.ControlTestSupport.NODE;
import static dev.convene.control.RawControlSocket.replyTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The SFU side of the control channel as a raw socket sees it: authentication and bad frames. */
class SfuControlServerTest {

    private final FakeSfuNode fake = new FakeSfuNode(NODE);
    private SfuControlServer server;

    @BeforeEach
    void start() {
        server = SfuControlServer.start(fake, ControlTestSupport.serverConfig(Duration.ofSeconds(5)));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void servesTheNodesMetricsWhenGivenThem() throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        try (SfuControlServer withMetrics = SfuControlServer.start(fake, ControlTestSupport.serverConfig(Duration.ofSeconds(5)),
                Clock.systemUTC(), () -> "convene_sfu_datagrams_in_total 42.0\n")) {
            java.net.http.HttpResponse<String> metrics = http.send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + withMetrics.port() + "/metrics")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body()).isEqualTo("convene_sfu_datagrams_in_total 42.0\n");
        }
        java.net.http.HttpResponse<String> none = http.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + server.port() + "/metrics")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(none.statusCode()).as("no metrics given, none served").isEqualTo(404);
    }

    @Test
    void connectionWithoutTokenIsClosedUnauthorizedAndCanDoNothing() throws Exception {
        try (RawControlSocket raw = new RawControlSocket(server.url("127.0.0.1"), null)) {
            trySend(raw, join(1, "s1", "intruder"));
            assertThat(raw.closeCode.get(5, TimeUnit.SECONDS)).isEqualTo(SfuControlServer.CLOSE_UNAUTHORIZED);
        }
        assertThat(fake.sessions).isEmpty();
        assertThat(server.openConnections()).isZero();
    }

    @Test
    void tokensForAnotherNodeSignedWrongOrExpiredAreRejected() throws Exception {
        String otherNode = ControlTestSupport.token("sfu-2");
        String wrongSecret = new ControlTokens(List.of(ControlTestSupport.WRONG_SECRET), Clock.systemUTC(), Duration.ZERO)
                .mint("sig-test", NODE);
        Clock tenMinutesAgo = Clock.fixed(Instant.now().minus(Duration.ofMinutes(10)), ZoneOffset.UTC);
        String expired = new ControlTokens(List.of(KEY), tenMinutesAgo, Duration.ZERO).mint("sig-test", NODE);

        for (String token : List.of(otherNode, wrongSecret, expired, "not-a-jwt")) {
            try (RawControlSocket raw = new RawControlSocket(server.url("127.0.0.1"), token)) {
                trySend(raw, join(1, "s1", "intruder"));
                assertThat(raw.closeCode.get(5, TimeUnit.SECONDS)).as(token).isEqualTo(SfuControlServer.CLOSE_UNAUTHORIZED);
                assertThat(raw.received).as("nothing is said to an unauthenticated socket").isEmpty();
            }
        }
        assertThat(fake.sessions).isEmpty();
    }

    @Test
    void remoteNodeWithTheWrongSecretCannotJoin() {
        try (RemoteSfuNode remote = RemoteSfuNode.connect(
                RemoteSfuConfig.of(NODE, server.url("127.0.0.1"), "sig-1", ControlTestSupport.WRONG_SECRET))) {
            assertThatThrownBy(() -> remote.join("m", "p", new RecordingListener()))
                    .isInstanceOfSatisfying(SfuControlException.class, e -> {
                        assertThat(e.code()).isEqualTo(SfuControlException.UNAVAILABLE);
                        assertThat(e.getMessage()).contains("unauthorized (4401)");
                    });
            assertThat(remote.connected()).isFalse();
        }
        assertThat(fake.sessions).isEmpty();
    }

    @Test
    void malformedAndUnknownFramesGetErrorsAndTheConnectionSurvives() {
        try (RawControlSocket raw = new RawControlSocket(server.url("127.0.0.1"), ControlTestSupport.token(NODE))) {
            JsonNode hello = raw.await(n -> n.path("type").asText().equals("hello"));
            assertThat(hello.path("node_id").asText()).isEqualTo(NODE);
            assertThat(hello.path("v").asInt()).isEqualTo(1);

            raw.send("this is not json");
            assertError(raw.await(n -> n.path("type").asText().equals("error")), "malformed_frame", null);
            raw.send("[1,2,3]");
            raw.send("{\"v\":1,\"type\":\"join\",\"id\":7}");
            assertError(raw.await(replyTo(7)), "malformed_frame", "session");
            raw.send("{\"v\":2,\"type\":\"ping\",\"id\":8}");
            assertError(raw.await(replyTo(8)), "unsupported_version", null);
            raw.send("{\"v\":1,\"type\":\"teleport\",\"id\":9}");
            assertError(raw.await(replyTo(9)), "unknown_type", "teleport");
            raw.send("{\"v\":1,\"type\":\"close\",\"id\":10,\"session\":\"nope\"}");
            assertError(raw.await(replyTo(10)), "unknown_session", "nope");
            raw.send("{\"v\":1,\"type\":\"declare_track\",\"id\":11,\"session\":\"s1\",\"mid\":\"0\",\"kind\":\"smell\",\"source\":\"camera\"}");
            assertError(raw.await(replyTo(11)), "malformed_frame", "kind");
            raw.send("{\"v\":1,\"type\":\"ok\",\"id\":12}");
            assertError(raw.await(replyTo(12)), "unknown_type", null);
            raw.sendBinary(new byte[] {1, 2, 3});
            await().atMost(Duration.ofSeconds(5)).until(() -> raw.received.stream()
                    .filter(n -> n.path("code").asText().equals("malformed_frame")).count() >= 5);

            raw.send(join(13, "s1", "alice"));
            assertThat(raw.await(replyTo(13)).path("type").asText()).isEqualTo("ok");
            raw.send(join(14, "s1", "alice-again"));
            assertError(raw.await(replyTo(14)), "duplicate_session", "s1");
            raw.send("{\"v\":1,\"type\":\"ping\"}");
            raw.await(n -> n.path("type").asText().equals("pong"));

            assertThat(raw.closeCode).isNotDone();
            assertThat(fake.session("alice").meetingId).isEqualTo("m");
            assertThat(fake.sessions).hasSize(1);
        }
    }

    @Test
    void silentConnectionIsClosedAndItsSessionsWithIt() throws Exception {
        server.close();
        server = SfuControlServer.start(fake, ControlTestSupport.serverConfig(Duration.ofMillis(600)));
        try (RawControlSocket raw = new RawControlSocket(server.url("127.0.0.1"), ControlTestSupport.token(NODE))) {
            raw.send(join(1, "s1", "alice"));
            raw.await(replyTo(1));
            // No pings from here on.
            assertThat(raw.closeCode.get(3, TimeUnit.SECONDS)).isEqualTo(SfuControlServer.CLOSE_HEARTBEAT_TIMEOUT);
            await().atMost(Duration.ofSeconds(2)).until(() -> fake.session("alice").closed);
        }
    }

    private static String join(long id, String session, String participant) {
        return "{\"v\":1,\"type\":\"join\",\"id\":" + id + ",\"session\":\"" + session
                + "\",\"meeting_id\":\"m\",\"participant_id\":\"" + participant + "\"}";
    }

    private static void trySend(RawControlSocket raw, String text) {
        try {
            raw.send(text);
        } catch (RuntimeException e) {
            // The server may have closed the socket already; either way nothing must happen.
        }
    }

    private static void assertError(JsonNode frame, String code, String messagePart) {
        assertThat(frame.path("type").asText()).isEqualTo("error");
        assertThat(frame.path("code").asText()).isEqualTo(code);
        assertThat(frame.path("v").asInt()).isEqualTo(1);
        if (messagePart != null) {
            assertThat(frame.path("message").asText()).contains(messagePart);
        }
    }
}
