package dev.convene.server;

import dev.convene.signaling.SignalingStores;
import dev.convene.store.ChatStore;
import dev.convene.store.EventBus;
import dev.convene.store.MeetingPlacement;
import dev.convene.store.MeetingStore;
import dev.convene.store.ParticipantStore;
import dev.convene.store.Presence;
import dev.convene.store.ResumeLeases;
import dev.convene.store.memory.InMemoryResumeLeases;
import dev.convene.store.RateLimiter;
import dev.convene.store.SeatLedger;
import dev.convene.store.SfuRegistry;
import dev.convene.store.memory.InMemoryChatStore;
import dev.convene.store.memory.InMemoryEventBus;
import dev.convene.store.memory.InMemoryMeetingPlacement;
import dev.convene.store.memory.InMemoryMeetingStore;
import dev.convene.store.memory.InMemoryParticipantStore;
import dev.convene.store.memory.InMemoryPresence;
import dev.convene.store.memory.InMemoryRateLimiter;
import dev.convene.store.memory.InMemorySeatLedger;
import dev.convene.store.memory.InMemorySfuRegistry;
import dev.convene.store.postgres.PostgresStoreConfig;
import dev.convene.store.postgres.PostgresStores;
import dev.convene.store.redis.RedisStores;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stores a node runs on. Durable state (meetings, participants, chat) goes to PostgreSQL
 * when it is configured; shared live state (seats, events, SFU registry, placement, rate
 * limits) to Redis when it is configured; anything not configured stays in this process's
 * memory, which is right for one node and wrong for a fleet.
 */
final class Backends implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Backends.class);

    private final PostgresStores postgres;
    private final RedisStores redis;
    private final SignalingStores signalingStores;
    private final SfuRegistry registry;
    private final MeetingPlacement placement;

    private Backends(PostgresStores postgres, RedisStores redis, boolean liveStateInMemory, Clock clock) {
        this.postgres = postgres;
        this.redis = redis;
        MeetingStore meetings = postgres != null ? postgres.meetings() : new InMemoryMeetingStore();
        ParticipantStore participants = postgres != null ? postgres.participants() : new InMemoryParticipantStore();
        ChatStore chat = postgres != null ? postgres.chat() : new InMemoryChatStore();
        // Seats: Redis's atomic script while Redis is configured (an outage answers 503 rather
        // than risk over-filling); PostgreSQL's locked transaction when only it is configured.
        // The all-in-one's own PostgreSQL keeps history only: its seats are this process's
        // sessions, which a restart ends, so they stay in memory.
        SeatLedger seats = redis != null ? redis.seats()
                : postgres != null && !liveStateInMemory ? postgres.seats() : new InMemorySeatLedger(clock);
        EventBus events = redis != null ? redis.events() : new InMemoryEventBus();
        RateLimiter rateLimiter = redis != null ? redis.rateLimiter() : new InMemoryRateLimiter(clock);
        Presence presence = redis != null ? redis.presence() : new InMemoryPresence(clock);
        ResumeLeases resumeLeases = redis != null ? redis.resumeLeases() : new InMemoryResumeLeases(clock);
        this.signalingStores = new SignalingStores(meetings, seats, participants, chat, events, rateLimiter, presence,
                resumeLeases);
        this.registry = redis != null ? redis.sfuRegistry() : new InMemorySfuRegistry();
        this.placement = redis != null ? redis.placement() : new InMemoryMeetingPlacement();
    }

    static Backends open(ServerOptions options, Clock clock) {
        PostgresStores postgres = null;
        RedisStores redis = null;
        try {
            if (options.postgresUrl() != null) {
                postgres = PostgresStores.open(PostgresStoreConfig.of(options.postgresUrl(), options.postgresUser(),
                        options.postgresPassword()), clock);
            }
            if (options.redisUrl() != null) {
                redis = RedisStores.connect(options.redisUrl());
            }
        } catch (RuntimeException e) {
            if (postgres != null) {
                postgres.close();
            }
            throw e;
        }
        log.info("event=backends_opened postgres={} redis={}", postgres != null, redis != null);
        return new Backends(postgres, redis, false, clock);
    }

    /**
     * The all-in-one's stores over its own PostgreSQL ({@link LocalData}): meetings, participants
     * and chat there, live state in memory. No session survives a restart, so participants the
     * last run left marked present are marked left now.
     */
    static Backends openLocal(String jdbcUrl, Clock clock) {
        PostgresStores postgres = PostgresStores.open(PostgresStoreConfig.of(jdbcUrl, null, null), clock);
        try (Connection c = postgres.dataSource().getConnection();
                PreparedStatement update = c.prepareStatement("UPDATE participants SET left_at = ? WHERE left_at IS NULL")) {
            update.setTimestamp(1, Timestamp.from(clock.instant()));
            int ended = update.executeUpdate();
            log.info("event=backends_opened postgres=local redis=false stale_participants_left={}", ended);
        } catch (SQLException e) {
            postgres.close();
            throw new IllegalStateException("cannot mark the last run's participants as left: " + e.getMessage(), e);
        }
        return new Backends(postgres, null, true, clock);
    }

    boolean shared() {
        return redis != null;
    }

    SignalingStores signalingStores() {
        return signalingStores;
    }

    SfuRegistry registry() {
        return registry;
    }

    MeetingPlacement placement() {
        return placement;
    }

    @Override
    public void close() {
        if (redis != null) {
            redis.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }
}
