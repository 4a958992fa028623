package dev.convene.store.redis;

import dev.convene.store.RateLimiter;
import io.lettuce.core.ScriptOutputType;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Token buckets shared by every node, one hash per key ({@code ratelimit:<key>}: tokens and the
 * time they were counted). Refill, take and Retry-After are computed in one Lua script with
 * Redis's own clock ({@code TIME}), so nodes with skewed clocks still share one bucket
 * exactly. A bucket expires once it would be full again: a full bucket and none are the same.
 */
public final class RedisRateLimiter implements RateLimiter {

    /** ARGV: capacity, refill tokens, refill period in microseconds. Returns {allowed, remaining, retry µs}. */
    private static final RedisScript TAKE = new RedisScript("""
            local capacity = tonumber(ARGV[1])
            local rate = tonumber(ARGV[2]) / tonumber(ARGV[3])
            local time = redis.call('TIME')
            local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
            local tokens = capacity
            local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
            if state[1] and state[2] then
              local elapsed = math.max(0, now - tonumber(state[2]))
              tokens = math.min(capacity, tonumber(state[1]) + elapsed * rate)
            end
            local allowed = 0
            local retry = 0
            if tokens >= 1 then
              tokens = tokens - 1
              allowed = 1
            else
              retry = math.ceil((1 - tokens) / rate)
            end
            redis.call('HSET', KEYS[1], 'tokens', string.format('%.17g', tokens), 'at', string.format('%.0f', now))
            redis.call('PEXPIRE', KEYS[1], math.ceil((capacity - tokens) / rate / 1000) + 1000)
            return {allowed, math.floor(tokens), retry}
            """);

    private final RedisConnection redis;

    RedisRateLimiter(RedisConnection redis) {
        this.redis = redis;
    }

    @Override
    public Decision tryAcquire(String key, Limit limit) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(limit, "limit");
        String[] keys = {RedisKeys.rateLimit(key)};
        String periodMicros = Long.toString(limit.refillPeriod().toNanos() / 1_000);
        List<Object> reply = redis.call("rate_limit", r -> TAKE.run(r, ScriptOutputType.MULTI, keys,
                Long.toString(limit.capacity()), Long.toString(limit.refillTokens()), periodMicros));
        boolean allowed = ((Long) reply.get(0)) == 1L;
        long remaining = (Long) reply.get(1);
        long retryMicros = (Long) reply.get(2);
        return allowed ? Decision.allow(remaining) : Decision.deny(Duration.ofNanos(retryMicros * 1_000));
    }
}
