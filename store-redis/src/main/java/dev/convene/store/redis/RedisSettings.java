package dev.convene.store.redis;

import dev.convene.store.MeetingPlacement;
import dev.convene.store.SeatLedger;
import dev.convene.store.SfuRegistry;
import java.time.Duration;
import java.util.Objects;

/**
 * How {@link RedisStores} talks to Redis.
 *
 * @param commandTimeout    longest wait for one command before it fails with
 *                          {@code StoreUnavailableException}
 * @param connectTimeout    longest wait for a TCP connection (first connect and reconnects)
 * @param maxReconnectDelay cap of the exponential back-off between reconnect attempts; also
 *                          about how long operations keep failing after Redis is back
 * @param sfuDeadAfter      an SFU node not heard from for this long is not healthy
 * @param sfuForgetAfter    a dead SFU node's entry is dropped this long after its last heartbeat
 * @param placementTtl      time to live of {@code meeting:sfu:{id}}
 */
public record RedisSettings(
        Duration commandTimeout,
        Duration connectTimeout,
        Duration maxReconnectDelay,
        Duration sfuDeadAfter,
        Duration sfuForgetAfter,
        Duration placementTtl,
        Duration seatLease) {

    public RedisSettings {
        Objects.requireNonNull(commandTimeout, "commandTimeout");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(maxReconnectDelay, "maxReconnectDelay");
        Objects.requireNonNull(sfuDeadAfter, "sfuDeadAfter");
        Objects.requireNonNull(sfuForgetAfter, "sfuForgetAfter");
        Objects.requireNonNull(placementTtl, "placementTtl");
        Objects.requireNonNull(seatLease, "seatLease");
        if (seatLease.toMillis() < 1) {
            throw new IllegalArgumentException("seatLease must be at least a millisecond");
        }
    }

    public static RedisSettings defaults() {
        return new RedisSettings(
                Duration.ofMillis(1_000),
                Duration.ofMillis(1_000),
                Duration.ofMillis(1_000),
                SfuRegistry.DEFAULT_DEAD_AFTER,
                Duration.ofHours(1),
                MeetingPlacement.DEFAULT_TTL,
                SeatLedger.DEFAULT_LEASE);
    }

    public RedisSettings withCommandTimeout(Duration d) {
        return new RedisSettings(d, connectTimeout, maxReconnectDelay, sfuDeadAfter, sfuForgetAfter, placementTtl, seatLease);
    }

    public RedisSettings withSfuDeadAfter(Duration d) {
        return new RedisSettings(commandTimeout, connectTimeout, maxReconnectDelay, d, sfuForgetAfter, placementTtl, seatLease);
    }

    public RedisSettings withPlacementTtl(Duration d) {
        return new RedisSettings(commandTimeout, connectTimeout, maxReconnectDelay, sfuDeadAfter, sfuForgetAfter, d, seatLease);
    }

    public RedisSettings withSeatLease(Duration d) {
        return new RedisSettings(commandTimeout, connectTimeout, maxReconnectDelay, sfuDeadAfter, sfuForgetAfter, placementTtl, d);
    }
}
