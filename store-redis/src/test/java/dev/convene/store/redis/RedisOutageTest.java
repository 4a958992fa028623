package dev.convene.store.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.convene.store.MeetingEvent;
import dev.convene.store.MeetingEvent.ParticipantJoined;
import dev.convene.store.RateLimiter.Limit;
import dev.convene.store.SfuNodeInfo;
import dev.convene.store.StoreUnavailableException;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What signaling nodes see when Redis goes away: every operation fails fast with
 * {@link StoreUnavailableException} (so joins get 503, never a hang or an over-fill), and
 * once Redis is back on the same address everything works again, Pub/Sub included, without
 * restarting anything.
 */
class RedisOutageTest {

    @RegisterExtension
    static final EmbeddedRedis redis = new EmbeddedRedis();

    private static final Duration PROMPTLY = Duration.ofSeconds(2);

    @Test
    void failsFastWhileRedisIsDownAndRecoversWhenItReturns() throws Exception {
        RedisStores node = redis.newStores();
        RedisStores otherNode = redis.newStores();
        UUID meeting = UUID.randomUUID();
        List<MeetingEvent> heard = new CopyOnWriteArrayList<>();
        node.events().subscribe(meeting, (id, e) -> heard.add(e));
        assertThat(node.seats().reserve(meeting, "PA_1", 100)).isTrue();

        redis.stop();

        Map<String, ThrowingCallable> operations = Map.of(
                "seat reserve", () -> node.seats().reserve(meeting, "PA_2", 100),
                "seat release", () -> node.seats().release(meeting, "PA_1"),
                "publish", () -> otherNode.events().publish(meeting, new ParticipantJoined("PA_2", "Bo")),
                "subscribe", () -> node.events().subscribe(UUID.randomUUID(), (id, e) -> {}),
                "placement", () -> node.placement().assignIfAbsent(meeting, "sfu-a"),
                "presence", () -> node.presence().touch(meeting, "PA_1", Duration.ofSeconds(15)),
                "registry", () -> node.sfuRegistry().healthy(Instant.now()),
                "heartbeat", () -> node.sfuRegistry().heartbeat(sfu(Instant.now())),
                "rate limit", () -> node.rateLimiter().tryAcquire("join:user:u1", Limit.of(5, Duration.ofMinutes(1))));
        operations.forEach((name, operation) -> {
            long started = System.nanoTime();
            assertThatThrownBy(operation).as(name).isInstanceOf(StoreUnavailableException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).as(name).isLessThan(PROMPTLY);
        });
        assertThat(node.available()).isFalse();

        redis.start();

        // Lettuce reconnects by itself (back-off capped at one second) and reloads the scripts.
        await().atMost(Duration.ofSeconds(10)).ignoreException(StoreUnavailableException.class)
                .until(() -> node.seats().reserve(meeting, "PA_2", 100));
        await().atMost(Duration.ofSeconds(10)).ignoreException(StoreUnavailableException.class)
                .until(() -> otherNode.available());
        // Redis came back empty: the ledger holds only what was reserved since.
        assertThat(node.seats().occupancy(meeting)).isEqualTo(1);
        assertThat(node.placement().assignIfAbsent(meeting, "sfu-a")).isEqualTo("sfu-a");
        assertThat(node.rateLimiter().tryAcquire("join:user:u1", Limit.of(5, Duration.ofMinutes(1))).allowed()).isTrue();

        // The subscription made before the outage is live again (Lettuce re-subscribed).
        await().atMost(Duration.ofSeconds(10)).ignoreException(StoreUnavailableException.class).untilAsserted(() -> {
            otherNode.events().publish(meeting, new ParticipantJoined("PA_3", "Cy"));
            assertThat(heard).contains(new ParticipantJoined("PA_3", "Cy"));
        });
    }

    @Test
    void aRedisThatDoesNotAnswerTimesOutInsteadOfHanging() throws Exception {
        RedisStores node = redis.newStores();
        UUID meeting = UUID.randomUUID();
        RedisClient blocker = RedisClient.create(redis.url());
        try (StatefulRedisConnection<String, String> c = blocker.connect()) {
            // CLIENT PAUSE stops Redis answering anyone for 3 s, like a stalled host.
            c.sync().clientPause(3_000);
            long started = System.nanoTime();
            assertThatThrownBy(() -> node.seats().reserve(meeting, "PA_1", 100)).isInstanceOf(StoreUnavailableException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(PROMPTLY);
        } finally {
            blocker.shutdown();
        }
        await().atMost(Duration.ofSeconds(10)).ignoreException(StoreUnavailableException.class)
                .until(() -> node.seats().reserve(meeting, "PA_1", 100));
    }

    @Test
    void connectingToAnAbsentRedisFailsFast() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        long started = System.nanoTime();
        assertThatThrownBy(() -> RedisStores.connect("redis://127.0.0.1:" + closedPort))
                .isInstanceOf(StoreUnavailableException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(PROMPTLY);
    }

    private static SfuNodeInfo sfu(Instant at) {
        return new SfuNodeInfo("sfu-a", "http://10.0.0.1:7000", "10.0.0.1:50000", "eu-west", 0, 0, 0.0, false, at);
    }
}
