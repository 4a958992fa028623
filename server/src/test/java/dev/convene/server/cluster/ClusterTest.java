package dev.convene.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.convene.client.ApiException;
import dev.convene.server.devcluster.LocalCluster;
import dev.convene.server.devcluster.NodeProcess;
import dev.convene.client.ConveneApi;
import dev.convene.client.ConveneClient;
import dev.convene.client.JoinGrant;
import dev.convene.client.MeetingInfo;
import dev.convene.store.redis.RedisStores;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import javax.net.ssl.SSLContext;
import dev.convene.tls.TlsContexts;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Two signaling nodes and two SFU nodes, each its own JVM, over real PostgreSQL and Redis:
 * the distributed control plane end to end, on TLS everywhere (HTTPS and WSS to the signaling
 * nodes, mutual TLS on the control channel), with the cluster's self-signed certificate.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ClusterTest {

    /** Tight per-user limits to test them; per-address limits out of the way of the load below. */
    private static final List<String> LIMITS = List.of(
            "--limit-create-per-user", "3/1m", "--limit-join-per-user", "6/1m",
            "--limit-create-per-address", "100000/1m", "--limit-join-per-address", "100000/1m");

    private static LocalCluster cluster;
    private static List<ConveneApi> apis;
    private static HttpClient http;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = LocalCluster.start(2, 2, LIMITS, null);
        // A trust store holding the cluster's certificate: the JDK checks chain and host name.
        SSLContext trust = TlsContexts.trusting(cluster.certificate().chain(), null);
        http = HttpClient.newBuilder().sslContext(trust).build();
        apis = cluster.signalings().stream().map(n -> ConveneApi.overTls(URI.create(n.url()), trust)).toList();
    }

    @Test
    @Order(0)
    void everyNodeSpeaksTlsOnlyAndAnSfuRefusesAPlaintextPeer() throws Exception {
        String fingerprint = "tls=" + cluster.certificate().sha256Fingerprint();
        for (NodeProcess node : cluster.signalings()) {
            assertThat(node.url()).startsWith("https://127.0.0.1:");
            assertThat(node.output()).anyMatch(l -> l.contains("event=signaling_started") && l.contains(fingerprint));
        }
        NodeProcess sfu = cluster.sfus().getFirst();
        assertThat(sfu.url()).startsWith("wss://127.0.0.1:");
        assertThat(sfu.output()).anyMatch(l -> l.contains("event=sfu_control_started") && l.contains(fingerprint)
                && l.contains("client_certificates=required"));

        URI control = URI.create(sfu.url());
        URI plain = URI.create("http://127.0.0.1:" + control.getPort() + "/metrics");
        try {
            HttpClient.newHttpClient().send(HttpRequest.newBuilder(plain).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            throw new AssertionError("the control port answered plain HTTP");
        } catch (java.io.IOException expected) {
            // refused at the TLS handshake
        }
        // The node's metrics, on its control port, need the cluster's client certificate too.
        HttpClient member = HttpClient.newBuilder()
                .sslContext(TlsContexts.trusting(cluster.certificate().chain(), cluster.certificate())).build();
        await("plaintext refusal counted").atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(member.send(
                HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + control.getPort() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body()).containsPattern("convene_control_refused_total\\{cause=\"plaintext\",?} [1-9]"));
        assertThat(sfu.output()).anyMatch(l -> l.contains("event=control_connection_refused") && l.contains("cause=plaintext"));
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    void participantsOnDifferentSignalingNodesMeetOnOneSfuAndChat() {
        ConveneApi one = apis.get(0);
        ConveneApi two = apis.get(1);
        MeetingInfo meeting = one.createMeeting(one.guestToken("Host").accessToken(), "across nodes");
        ConveneClient ada = ConveneClient.join(one, one.guestToken("Ada").accessToken(), meeting.meetingId(), "Ada",
                ConveneClient.Options.defaults());
        ConveneClient grace = ConveneClient.join(two, two.guestToken("Grace").accessToken(), meeting.meetingId(), "Grace",
                ConveneClient.Options.defaults());
        try {
            assertThat(grace.grant().sfuNodeId()).isEqualTo(ada.grant().sfuNodeId()).startsWith("sfu-");
            ada.publish();
            grace.publish();
            await("media both ways").atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                for (String kind : List.of("audio", "video")) {
                    assertThat(ada.received(grace.participantId(), kind).packets()).isGreaterThan(20);
                    assertThat(grace.received(ada.participantId(), kind).packets()).isGreaterThan(20);
                }
            });
            // Someone joining through the other node is told Ada's tracks (the SFU knows them all).
            ConveneClient lin = ConveneClient.join(two, two.guestToken("Lin").accessToken(), meeting.meetingId(), "Lin",
                    ConveneClient.Options.defaults());
            try {
                JsonNode others = lin.joinedFrame().path("participants");
                assertThat(others.findValues("participant_id")).extracting(JsonNode::asText)
                        .contains(ada.participantId(), grace.participantId());
                for (JsonNode p : others) {
                    if (p.path("participant_id").asText().equals(ada.participantId())) {
                        assertThat(p.path("tracks")).hasSize(2);
                    }
                }
            } finally {
                lin.close();
            }
            ada.sendChat("hello from node one");
            grace.sendChat("hello from node two");
            await("chat across nodes").atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(grace.chatMessages()).anyMatch(m -> m.text().equals("hello from node one"));
                assertThat(ada.chatMessages()).anyMatch(m -> m.text().equals("hello from node two"));
            });
            grace.leave();
            await("participant-left across nodes").atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                    assertThat(ada.frames("participant-left")).anyMatch(f ->
                            f.path("participant_id").asText().equals(grace.participantId())));
        } finally {
            ada.close();
            grace.close();
        }
    }

    @Test
    @Order(2)
    void threeHundredConcurrentJoinsAdmitExactlyTheCapacityTwentyTimes() throws Exception {
        try (RedisStores redis = RedisStores.connect(cluster.redisUrl());
                ExecutorService pool = Executors.newFixedThreadPool(48)) {
            for (int round = 1; round <= 20; round++) {
                // Fresh users each round, so the per-user join limit stays out of the way.
                List<String> users = new ArrayList<>();
                for (int i = 0; i < 300; i++) {
                    users.add(apis.get(i % 2).guestToken("User " + round + "." + i).accessToken());
                }
                ConveneApi creator = apis.get(round % 2);
                MeetingInfo meeting = creator.createMeeting(creator.guestToken("Host " + round).accessToken(), "full");
                ConcurrentLinkedQueue<JoinGrant> admitted = new ConcurrentLinkedQueue<>();
                AtomicInteger full = new AtomicInteger();
                AtomicInteger other = new AtomicInteger();
                List<CompletableFuture<Void>> joins = new ArrayList<>();
                for (int i = 0; i < 300; i++) {
                    ConveneApi api = apis.get(i % 2);
                    String token = users.get(i);
                    joins.add(CompletableFuture.runAsync(() -> {
                        try {
                            admitted.add(api.join(token, meeting.meetingId(), null));
                        } catch (ApiException e) {
                            (e.status() == 409 && "meeting_full".equals(e.code()) ? full : other).incrementAndGet();
                        }
                    }, pool));
                }
                CompletableFuture.allOf(joins.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
                assertThat(other.get()).as("round %d: unexpected answers", round).isZero();
                assertThat(admitted).as("round %d admitted", round).hasSize(100);
                assertThat(full.get()).as("round %d meeting_full", round).isEqualTo(200);
                UUID id = UUID.fromString(meeting.meetingId());
                assertThat(redis.seats().occupancy(id)).isEqualTo(100);

                // Everyone admitted opens the socket and leaves: every seat comes back.
                List<CompletableFuture<Void>> leaves = new ArrayList<>();
                for (JoinGrant grant : admitted) {
                    leaves.add(CompletableFuture.runAsync(() -> leave(grant), pool));
                }
                CompletableFuture.allOf(leaves.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
                await("round " + round + " seats released").atMost(Duration.ofSeconds(10))
                        .untilAsserted(() -> assertThat(redis.seats().occupancy(id)).isZero());
            }
        }
    }

    private static void leave(JoinGrant grant) {
        CompletableFuture<Void> closed = new CompletableFuture<>();
        WebSocket ws = http.newWebSocketBuilder().buildAsync(grant.socketUri(), new WebSocket.Listener() {
            @Override
            public CompletableFuture<?> onClose(WebSocket webSocket, int statusCode, String reason) {
                closed.complete(null);
                return null;
            }

            @Override
            public void onError(WebSocket webSocket, Throwable error) {
                closed.completeExceptionally(error);
            }
        }).join();
        ws.sendText("{\"v\":1,\"type\":\"leave\"}", true).join();
        closed.orTimeout(10, TimeUnit.SECONDS).join();
    }

    @Test
    @Order(3)
    void aBurstBeyondTheLimitGets429WithRetryAfterOnBothNodesCombined() throws Exception {
        String token = apis.get(0).guestToken("Bursty").accessToken();
        List<Integer> statuses = new ArrayList<>();
        List<String> retryAfter = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String base = cluster.signalings().get(i % 2).url();
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/meetings"))
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
            statuses.add(r.statusCode());
            r.headers().firstValue("Retry-After").ifPresent(retryAfter::add);
        }
        assertThat(statuses.subList(0, 3)).containsOnly(201);
        assertThat(statuses.subList(3, 6)).containsOnly(429);
        assertThat(retryAfter).hasSize(3).allSatisfy(v -> assertThat(Long.parseLong(v)).isBetween(1L, 60L));
    }

    @Test
    @Order(4)
    void killingRedisKeepsMediaFlowingRefusesJoinsWith503AndRecovers() throws Exception {
        ConveneApi one = apis.get(0);
        ConveneApi two = apis.get(1);
        MeetingInfo meeting = one.createMeeting(one.guestToken("Host R").accessToken(), "redis outage");
        ConveneClient ada = ConveneClient.join(one, one.guestToken("Ada R").accessToken(), meeting.meetingId(), "Ada",
                ConveneClient.Options.defaults());
        ConveneClient grace = ConveneClient.join(two, two.guestToken("Grace R").accessToken(), meeting.meetingId(), "Grace",
                ConveneClient.Options.defaults());
        String lateToken = one.guestToken("Late").accessToken();
        try {
            ada.publish();
            grace.publish();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(grace.received(ada.participantId(), "video").packets()).isGreaterThan(20));

            cluster.stopRedis();
            long before = grace.received(ada.participantId(), "video").packets();
            await("media during the outage").atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(grace.received(ada.participantId(), "video").packets()).isGreaterThan(before + 60));
            for (ConveneApi api : apis) {
                try {
                    api.join(lateToken, meeting.meetingId(), null);
                    throw new AssertionError("a join succeeded while Redis, which holds the seats, was down");
                } catch (ApiException e) {
                    assertThat(e.status()).isEqualTo(503);
                }
            }
            assertThat(ada.signaling().isOpen()).isTrue();
            assertThat(grace.signaling().isOpen()).isTrue();

            cluster.startRedis();
            await("new meetings work again").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500))
                    .ignoreException(ApiException.class)
                    .untilAsserted(() -> {
                        String token = two.guestToken("After").accessToken();
                        MeetingInfo fresh = two.createMeeting(token, "after the outage");
                        assertThat(two.join(token, fresh.meetingId(), null).sfuNodeId()).startsWith("sfu-");
                    });
            try (RedisStores redis = RedisStores.connect(cluster.redisUrl())) {
                UUID id = UUID.fromString(meeting.meetingId());
                await("seats and placement of the live meeting held again").atMost(Duration.ofSeconds(15))
                        .untilAsserted(() -> {
                            assertThat(redis.seats().occupancy(id)).isEqualTo(2);
                            assertThat(redis.placement().sfuFor(id)).contains(ada.grant().sfuNodeId());
                        });
            }
            long after = grace.received(ada.participantId(), "video").packets();
            await("media after the outage").atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(grace.received(ada.participantId(), "video").packets()).isGreaterThan(after + 30));
        } finally {
            ada.close();
            grace.close();
        }
    }
}
