package dev.convene.store.redis;

import dev.convene.store.MeetingPlacement;
import io.lettuce.core.ScriptOutputType;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * Meeting → SFU node as one string key per meeting ({@code meeting:sfu:{<meetingId>}}) with a
 * time to live. First placement and failover are Lua scripts, so "read, compare, write" is one
 * atomic step however many signaling nodes race.
 */
public final class RedisMeetingPlacement implements MeetingPlacement {

    private static final RedisScript ASSIGN_IF_ABSENT = new RedisScript("""
            local current = redis.call('GET', KEYS[1])
            if current then
              return current
            end
            redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
            return ARGV[1]
            """);

    private static final RedisScript COMPARE_AND_SET = new RedisScript("""
            if redis.call('GET', KEYS[1]) == ARGV[1] then
              redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
              return 1
            end
            return 0
            """);

    private final RedisConnection redis;
    private final Duration ttl;

    RedisMeetingPlacement(RedisConnection redis, Duration ttl) {
        this.redis = redis;
        this.ttl = Objects.requireNonNull(ttl, "ttl");
        if (ttl.toMillis() < 1) {
            throw new IllegalArgumentException("ttl must be at least a millisecond");
        }
    }

    @Override
    public Optional<String> sfuFor(UUID meetingId) {
        return Optional.ofNullable(redis.call("placement_get", r -> r.get(RedisKeys.meetingSfu(meetingId))));
    }

    @Override
    public String assignIfAbsent(UUID meetingId, String nodeId) {
        Objects.requireNonNull(nodeId, "nodeId");
        String[] keys = {RedisKeys.meetingSfu(meetingId)};
        return redis.call("placement_assign",
                r -> ASSIGN_IF_ABSENT.run(r, ScriptOutputType.VALUE, keys, nodeId, Long.toString(ttl.toMillis())));
    }

    @Override
    public boolean compareAndSet(UUID meetingId, String expectedNode, String newNode) {
        Objects.requireNonNull(expectedNode, "expectedNode");
        Objects.requireNonNull(newNode, "newNode");
        String[] keys = {RedisKeys.meetingSfu(meetingId)};
        Long moved = redis.call("placement_cas",
                r -> COMPARE_AND_SET.run(r, ScriptOutputType.INTEGER, keys, expectedNode, newNode, Long.toString(ttl.toMillis())));
        return moved == 1L;
    }

    @Override
    public boolean refresh(UUID meetingId) {
        return redis.call("placement_refresh", r -> r.pexpire(RedisKeys.meetingSfu(meetingId), ttl.toMillis()));
    }

    @Override
    public boolean clear(UUID meetingId) {
        return redis.call("placement_clear", r -> r.del(RedisKeys.meetingSfu(meetingId))) == 1L;
    }
}
