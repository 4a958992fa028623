package dev.convene.store.redis;

import dev.convene.store.SeatLedger;
import io.lettuce.core.ScriptOutputType;
import java.util.Objects;
import java.util.UUID;

/**
 * Seats as a Redis set per meeting ({@code seats:{<meetingId>}}). A reservation is one Lua
 * script — already seated? else SCARD below capacity? then SADD — which Redis runs atomically,
 * so concurrent joins on any number of signaling nodes never over-fill a meeting. An empty set
 * disappears by itself, so a meeting everyone left holds no key.
 */
public final class RedisSeatLedger implements SeatLedger {

    private static final RedisScript RESERVE = new RedisScript("""
            if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then
              return 1
            end
            if redis.call('SCARD', KEYS[1]) < tonumber(ARGV[2]) then
              redis.call('SADD', KEYS[1], ARGV[1])
              return 1
            end
            return 0
            """);

    private final RedisConnection redis;

    RedisSeatLedger(RedisConnection redis) {
        this.redis = redis;
    }

    @Override
    public boolean reserve(UUID meetingId, String participantId, int capacity) {
        Objects.requireNonNull(participantId, "participantId");
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity must not be negative");
        }
        String[] keys = {RedisKeys.seats(meetingId)};
        Long held = redis.call("seat_reserve",
                r -> RESERVE.run(r, ScriptOutputType.INTEGER, keys, participantId, Integer.toString(capacity)));
        return held == 1L;
    }

    @Override
    public boolean release(UUID meetingId, String participantId) {
        return redis.call("seat_release", r -> r.srem(RedisKeys.seats(meetingId), participantId)) == 1L;
    }

    @Override
    public boolean holds(UUID meetingId, String participantId) {
        return redis.call("seat_holds", r -> r.sismember(RedisKeys.seats(meetingId), participantId));
    }

    @Override
    public int occupancy(UUID meetingId) {
        return Math.toIntExact(redis.call("seat_occupancy", r -> r.scard(RedisKeys.seats(meetingId))));
    }
}
