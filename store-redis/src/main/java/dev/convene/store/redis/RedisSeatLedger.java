package dev.convene.store.redis;

import dev.convene.store.SeatLedger;
import io.lettuce.core.ScriptOutputType;
import java.time.Duration;
import java.util.Objects;
import java.util.UUID;

/**
 * Seats as a Redis sorted set per meeting ({@code seats:{<meetingId>}}): each member is a
 * participant, scored by when its lease ends. A reservation is one Lua script — drop expired
 * leases, then renew the participant's lease, or take a seat if fewer than the capacity are
 * held — which Redis runs atomically, so concurrent joins on any number of signaling nodes never
 * over-fill a meeting. Leases are measured on Redis's own clock, so nodes' clocks do not matter.
 * A seat whose signaling node died is not renewed and frees itself when its lease ends; the key
 * of a meeting nobody holds a seat in expires with the last lease.
 */
public final class RedisSeatLedger implements SeatLedger {

    /** KEYS[1] seats; ARGV[1] participant, ARGV[2] capacity, ARGV[3] lease ms. 1 = held, 0 = full. */
    private static final RedisScript RESERVE = new RedisScript("""
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
            local lease = tonumber(ARGV[3])
            if redis.call('ZSCORE', KEYS[1], ARGV[1]) or redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
              redis.call('ZADD', KEYS[1], now + lease, ARGV[1])
              redis.call('PEXPIRE', KEYS[1], lease)
              return 1
            end
            return 0
            """);

    /** KEYS[1] seats; ARGV[1] participant or ''. Counts live leases; with a participant, 1 if it holds one. */
    private static final RedisScript COUNT = new RedisScript("""
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            if ARGV[1] ~= '' then
              local until_ms = redis.call('ZSCORE', KEYS[1], ARGV[1])
              if until_ms and tonumber(until_ms) > now then return 1 end
              return 0
            end
            return redis.call('ZCOUNT', KEYS[1], '(' .. now, '+inf')
            """);

    private final RedisConnection redis;
    private final String leaseMillis;

    RedisSeatLedger(RedisConnection redis, Duration lease) {
        this.redis = redis;
        this.leaseMillis = Long.toString(lease.toMillis());
    }

    @Override
    public boolean reserve(UUID meetingId, String participantId, int capacity) {
        Objects.requireNonNull(participantId, "participantId");
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity must not be negative");
        }
        String[] keys = {RedisKeys.seats(meetingId)};
        Long held = redis.call("seat_reserve", r -> RESERVE.run(r, ScriptOutputType.INTEGER, keys, participantId,
                Integer.toString(capacity), leaseMillis));
        return held == 1L;
    }

    @Override
    public boolean release(UUID meetingId, String participantId) {
        return redis.call("seat_release", r -> r.zrem(RedisKeys.seats(meetingId), participantId)) == 1L;
    }

    @Override
    public boolean holds(UUID meetingId, String participantId) {
        Objects.requireNonNull(participantId, "participantId");
        return count(meetingId, participantId) == 1L;
    }

    @Override
    public int occupancy(UUID meetingId) {
        return Math.toIntExact(count(meetingId, ""));
    }

    private long count(UUID meetingId, String participantId) {
        String[] keys = {RedisKeys.seats(meetingId)};
        Long count = redis.call("seat_count", r -> COUNT.run(r, ScriptOutputType.INTEGER, keys, participantId));
        return count;
    }
}
