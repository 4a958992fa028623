package dev.convene.store.redis;

import dev.convene.store.SeatLedger;
import io.lettuce.core.ScriptOutputType;
import java.time.Duration;
import java.util.Objects;
import java.util.UUID;

/**
 * Seats as a Redis sorted set per meeting ({@code seats:{<meetingId>}}): each member is a
 * participant, scored by when its lease ends. Unclaimed seats are members too, scored by when
 * they lapse unless claimed, and are listed with their holders in the hash
 * {@code seats:{<meetingId>}:unclaimed}. Every change is one Lua script — drop lapsed leases,
 * then check capacity (and, for an unclaimed seat, each holder's count) and insert — which Redis
 * runs atomically, so concurrent joins on any number of signaling nodes never over-fill a meeting
 * and never give a holder one unclaimed seat too many. Leases are measured on Redis's own clock,
 * so nodes' clocks do not matter. A seat whose signaling node died is not renewed and frees
 * itself when its lease ends; the keys of a meeting nobody holds a seat in expire with the last
 * lease.
 */
public final class RedisSeatLedger implements SeatLedger {

    /** Shared head of the scripts: {@code now} on Redis's clock, lapsed seats dropped. */
    private static final String NOW_AND_PRUNE = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
            local function keep(ms)
              for i = 1, 2 do
                local ttl = redis.call('PTTL', KEYS[i])
                if ttl ~= -2 and ttl < ms then redis.call('PEXPIRE', KEYS[i], ms) end
              end
            end
            """;

    /**
     * KEYS[1] seats, KEYS[2] unclaimed; ARGV[1] participant, ARGV[2] capacity, ARGV[3] lease ms.
     * 1 = held, 0 = full. A held or unclaimed seat is renewed as claimed.
     */
    private static final RedisScript RESERVE = new RedisScript(NOW_AND_PRUNE + """
            local lease = tonumber(ARGV[3])
            if redis.call('ZSCORE', KEYS[1], ARGV[1]) or redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[2]) then
              redis.call('ZADD', KEYS[1], now + lease, ARGV[1])
              redis.call('HDEL', KEYS[2], ARGV[1])
              keep(lease)
              return 1
            end
            return 0
            """);

    /**
     * KEYS[1] seats, KEYS[2] unclaimed; ARGV[1] participant, ARGV[2] capacity, ARGV[3] claim-within
     * ms, ARGV[4] most unclaimed seats per holder, ARGV[5] lease ms, ARGV[6..] holders.
     * 1 = reserved, 0 = full, 2 = a holder has too many unclaimed seats.
     */
    private static final RedisScript RESERVE_UNCLAIMED = new RedisScript(NOW_AND_PRUNE + """
            if redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 1 end
            if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
            local counts = {}
            local listed = redis.call('HGETALL', KEYS[2])
            for i = 1, #listed, 2 do
              if redis.call('ZSCORE', KEYS[1], listed[i]) then
                for holder in string.gmatch(listed[i + 1], '[^\\n]+') do
                  counts[holder] = (counts[holder] or 0) + 1
                end
              else
                redis.call('HDEL', KEYS[2], listed[i])
              end
            end
            local max = tonumber(ARGV[4])
            local holders = {}
            for i = 6, #ARGV do
              if (counts[ARGV[i]] or 0) >= max then return 2 end
              holders[#holders + 1] = ARGV[i]
            end
            local within = tonumber(ARGV[3])
            redis.call('ZADD', KEYS[1], now + within, ARGV[1])
            redis.call('HSET', KEYS[2], ARGV[1], table.concat(holders, '\\n'))
            keep(math.max(within, tonumber(ARGV[5])))
            return 1
            """);

    /** KEYS[1] seats, KEYS[2] unclaimed; ARGV[1] participant, ARGV[2] lease ms. 1 = held now, 0 = lapsed or never held. */
    private static final RedisScript CLAIM = new RedisScript(NOW_AND_PRUNE + """
            redis.call('HDEL', KEYS[2], ARGV[1])
            if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
            local lease = tonumber(ARGV[2])
            redis.call('ZADD', KEYS[1], now + lease, ARGV[1])
            keep(lease)
            return 1
            """);

    /** KEYS[1] seats, KEYS[2] unclaimed; ARGV[1] participant. 1 = released. */
    private static final RedisScript RELEASE = new RedisScript("""
            redis.call('HDEL', KEYS[2], ARGV[1])
            return redis.call('ZREM', KEYS[1], ARGV[1])
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
        String[] keys = keys(meetingId);
        Long held = redis.call("seat_reserve", r -> RESERVE.run(r, ScriptOutputType.INTEGER, keys, participantId,
                Integer.toString(capacity), leaseMillis));
        return held == 1L;
    }

    @Override
    public Admission reserveUnclaimed(UUID meetingId, String participantId, int capacity, Claim claim) {
        Objects.requireNonNull(participantId, "participantId");
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity must not be negative");
        }
        String[] args = new String[5 + claim.holders().size()];
        args[0] = participantId;
        args[1] = Integer.toString(capacity);
        args[2] = Long.toString(claim.within().toMillis());
        args[3] = Integer.toString(claim.maxPerHolder());
        args[4] = leaseMillis;
        for (int i = 0; i < claim.holders().size(); i++) {
            args[5 + i] = claim.holders().get(i);
        }
        String[] keys = keys(meetingId);
        Long result = redis.call("seat_reserve_unclaimed", r -> RESERVE_UNCLAIMED.run(r, ScriptOutputType.INTEGER, keys, args));
        return switch (result.intValue()) {
            case 1 -> Admission.RESERVED;
            case 0 -> Admission.FULL;
            case 2 -> Admission.TOO_MANY_UNCLAIMED;
            default -> throw new IllegalStateException("seat script answered " + result);
        };
    }

    @Override
    public boolean claim(UUID meetingId, String participantId) {
        Objects.requireNonNull(participantId, "participantId");
        String[] keys = keys(meetingId);
        Long held = redis.call("seat_claim", r -> CLAIM.run(r, ScriptOutputType.INTEGER, keys, participantId, leaseMillis));
        return held == 1L;
    }

    @Override
    public boolean release(UUID meetingId, String participantId) {
        String[] keys = keys(meetingId);
        Long released = redis.call("seat_release", r -> RELEASE.run(r, ScriptOutputType.INTEGER, keys, participantId));
        return released == 1L;
    }

    private static String[] keys(UUID meetingId) {
        return new String[] {RedisKeys.seats(meetingId), RedisKeys.unclaimedSeats(meetingId)};
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
