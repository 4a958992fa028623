package dev.convene.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.convene.sfu.ParticipantListener;
import dev.convene.sfu.ParticipantSession;
import dev.convene.sfu.SubscribedTrack;
import dev.convene.store.SfuNodeInfo;
import dev.convene.store.redis.RedisStores;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.embedded.RedisServer;

/**
 * An SFU node told to stop with a drain timeout keeps its meetings until their participants have
 * left, while the registry and {@code /readyz} say it takes no new ones: what a Kubernetes
 * rollout of the SFU DaemonSet relies on (deploy/).
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class SfuDrainTest {

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void stoppingWaitsForTheLastParticipantWhileReadinessSaysDraining() throws Exception {
        int redisPort;
        try (ServerSocket s = new ServerSocket(0)) {
            redisPort = s.getLocalPort();
        }
        RedisServer redis = RedisServer.newRedisServer().port(redisPort).setting("bind 127.0.0.1")
                .setting("save \"\"").setting("appendonly no").build();
        redis.start();
        String redisUrl = "redis://127.0.0.1:" + redisPort;
        ServerOptions base = ServerOptions.forTests();
        ServerOptions options = new ServerOptions(base.httpHost(), 0, null, "127.0.0.1", 0, List.of(), null, "sfu-drain",
                "local", base.jwtKeys(), false, base.uplinkEstimateBps(), null, null, null, redisUrl, "127.0.0.1", 0,
                "127.0.0.1", base.controlKeys(), null, 0, null, null, null, null);
        // A freshly started Redis on a loaded machine may miss the client's 1 s connect timeout once.
        RedisStores connected = await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> RedisStores.connect(redisUrl), java.util.Objects::nonNull);
        try (RedisStores stores = connected) {
            SfuRoleServer node = SfuRoleServer.start(options, Duration.ofSeconds(60));
            CompletableFuture<Void> stopped = null;
            try {
                String control = "http://127.0.0.1:" + URI.create(controlUrl(node)).getPort();
                assertThat(status(control + "/readyz")).isEqualTo(200);
                ParticipantSession ada = node.sfu().join("meeting-1", "ada", new ParticipantListener() {
                    @Override
                    public void onSubscriberOffer(String sdpOffer, List<SubscribedTrack> tracks) {
                    }

                    @Override
                    public void onMediaFailed(String reason) {
                    }
                });

                stopped = CompletableFuture.runAsync(node::close);
                await().atMost(Duration.ofSeconds(10)).until(() -> status(control + "/readyz") == 503);
                await().atMost(Duration.ofSeconds(10)).until(() -> stores.sfuRegistry().find("sfu-drain")
                        .map(SfuNodeInfo::draining).orElse(false));
                assertThat(stopped).as("still serving the meeting").isNotDone();
                assertThat(status(control + "/healthz")).as("alive while draining").isEqualTo(200);

                ada.close();
                stopped.get(10, TimeUnit.SECONDS);
                assertThat(stores.sfuRegistry().find("sfu-drain")).as("left the registry").isEmpty();
            } finally {
                if (stopped == null) {
                    node.close();
                }
            }
        } finally {
            redis.stop();
        }
    }

    private static String controlUrl(SfuRoleServer node) {
        String banner = node.banner();
        int at = banner.indexOf("ws://");
        return banner.substring(at, banner.indexOf(',', at));
    }

    private int status(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }
}
