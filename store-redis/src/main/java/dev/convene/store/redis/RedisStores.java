package dev.convene.store.redis;

import dev.convene.store.StoreUnavailableException;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.ClientOptions.DisconnectedBehavior;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every Redis-backed store of one process, over two connections: one multiplexed command
 * connection (Lettuce connections are thread-safe and pipeline concurrent commands) and one
 * Pub/Sub connection for the event bus.
 *
 * <p>Failure behaviour: commands are rejected at once while disconnected and time out after
 * {@link RedisSettings#commandTimeout()} otherwise, both surfacing as
 * {@link StoreUnavailableException}; Lettuce reconnects in the background (back-off capped at
 * {@link RedisSettings#maxReconnectDelay()}), reloads scripts on demand and re-subscribes
 * Pub/Sub channels, so operations work again once Redis is back, without a restart.
 */
public final class RedisStores implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RedisStores.class);

    private final ClientResources resources;
    private final RedisClient client;
    private final StatefulRedisConnection<String, String> commandConnection;
    private final StatefulRedisPubSubConnection<String, String> pubSubConnection;
    private final RedisConnection redis;
    private final RedisSeatLedger seats;
    private final RedisEventBus events;
    private final RedisSfuRegistry sfuRegistry;
    private final RedisMeetingPlacement placement;
    private final RedisPresence presence;
    private final RedisResumeLeases resumeLeases;
    private final RedisRateLimiter rateLimiter;

    private RedisStores(ClientResources resources, RedisClient client,
            StatefulRedisConnection<String, String> commandConnection,
            StatefulRedisPubSubConnection<String, String> pubSubConnection, RedisSettings settings) {
        this.resources = resources;
        this.client = client;
        this.commandConnection = commandConnection;
        this.pubSubConnection = pubSubConnection;
        this.redis = new RedisConnection(commandConnection, settings.commandTimeout());
        this.seats = new RedisSeatLedger(redis, settings.seatLease());
        this.events = new RedisEventBus(redis, pubSubConnection);
        this.sfuRegistry = new RedisSfuRegistry(redis, settings.sfuDeadAfter(), settings.sfuForgetAfter());
        this.placement = new RedisMeetingPlacement(redis, settings.placementTtl());
        this.presence = new RedisPresence(redis);
        this.resumeLeases = new RedisResumeLeases(redis);
        this.rateLimiter = new RedisRateLimiter(redis);
    }

    /** Connects with {@link RedisSettings#defaults()}; see {@link #connect(String, RedisSettings)}. */
    public static RedisStores connect(String redisUrl) {
        return connect(redisUrl, RedisSettings.defaults());
    }

    /**
     * Connects to {@code redisUrl} ({@code redis://[:password@]host:port[/db]}, or
     * {@code rediss://} for TLS).
     *
     * @throws StoreUnavailableException if Redis cannot be reached now; the caller may retry
     */
    public static RedisStores connect(String redisUrl, RedisSettings settings) {
        Objects.requireNonNull(redisUrl, "redisUrl");
        Objects.requireNonNull(settings, "settings");
        RedisURI uri = RedisURI.create(redisUrl);
        uri.setTimeout(settings.commandTimeout());
        ClientResources resources = ClientResources.builder()
                .reconnectDelay(Delay.exponential(Duration.ofMillis(50), settings.maxReconnectDelay(), 2, TimeUnit.MILLISECONDS))
                .build();
        RedisClient client = RedisClient.create(resources, uri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                // Fail fast instead of queueing while disconnected: callers answer 503 at once.
                .disconnectedBehavior(DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(settings.commandTimeout()))
                .socketOptions(SocketOptions.builder().connectTimeout(settings.connectTimeout()).keepAlive(true).build())
                .build());
        StatefulRedisConnection<String, String> commands = null;
        try {
            commands = client.connect();
            StatefulRedisPubSubConnection<String, String> pubSub = client.connectPubSub();
            log.info("event=redis_connected host={} port={}", uri.getHost(), uri.getPort());
            return new RedisStores(resources, client, commands, pubSub, settings);
        } catch (RedisException e) {
            if (commands != null) {
                commands.close();
            }
            client.shutdown(0, 1, TimeUnit.SECONDS);
            resources.shutdown(0, 1, TimeUnit.SECONDS);
            throw new StoreUnavailableException("redis unreachable at " + uri.getHost() + ":" + uri.getPort() + ": " + e.getMessage(), e);
        }
    }

    public RedisSeatLedger seats() {
        return seats;
    }

    public RedisEventBus events() {
        return events;
    }

    public RedisSfuRegistry sfuRegistry() {
        return sfuRegistry;
    }

    public RedisMeetingPlacement placement() {
        return placement;
    }

    public RedisPresence presence() {
        return presence;
    }

    public RedisResumeLeases resumeLeases() {
        return resumeLeases;
    }

    public RedisRateLimiter rateLimiter() {
        return rateLimiter;
    }

    /** True if Redis answers a PING now; for readiness checks. Never throws. */
    public boolean available() {
        try {
            return "PONG".equals(redis.call("ping", r -> r.ping()));
        } catch (StoreUnavailableException e) {
            return false;
        }
    }

    /** The command connection, for tests of this package. */
    RedisConnection connection() {
        return redis;
    }

    @Override
    public void close() {
        events.close();
        pubSubConnection.close();
        commandConnection.close();
        client.shutdown(0, 2, TimeUnit.SECONDS);
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }
}
