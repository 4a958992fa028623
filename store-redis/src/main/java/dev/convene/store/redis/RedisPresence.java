package dev.convene.store.redis;

import dev.convene.store.Presence;
import io.lettuce.core.ScriptOutputType;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * Presence as a set of participant ids per meeting ({@code presence:{<meetingId>}}) plus one
 * heartbeat key per participant ({@code presence:{<meetingId>}:<participantId>}) whose time to
 * live is the heartbeat's. The set says who might be there; the heartbeat key says who is.
 * Members whose heartbeat expired are pruned from the set when {@link #present} looks. The set
 * itself expires with the longest heartbeat, so a meeting nobody touches leaves nothing behind.
 */
public final class RedisPresence implements Presence {

    private static final RedisScript TOUCH = new RedisScript("""
            local ttl = tonumber(ARGV[2])
            redis.call('SET', KEYS[2], '1', 'PX', ttl)
            redis.call('SADD', KEYS[1], ARGV[1])
            if redis.call('PTTL', KEYS[1]) < ttl then
              redis.call('PEXPIRE', KEYS[1], ttl)
            end
            return 1
            """);

    /** KEYS[1] the set, KEYS[i+1] the heartbeat key of ARGV[i]. */
    private static final RedisScript PRUNE = new RedisScript("""
            local live = {}
            for i, participant in ipairs(ARGV) do
              if redis.call('EXISTS', KEYS[i + 1]) == 1 then
                table.insert(live, participant)
              else
                redis.call('SREM', KEYS[1], participant)
              end
            end
            return live
            """);

    private static final RedisScript REMOVE = new RedisScript("""
            local existed = redis.call('DEL', KEYS[2])
            redis.call('SREM', KEYS[1], ARGV[1])
            return existed
            """);

    private final RedisConnection redis;

    RedisPresence(RedisConnection redis) {
        this.redis = redis;
    }

    @Override
    public void touch(UUID meetingId, String participantId, Duration ttl) {
        Objects.requireNonNull(participantId, "participantId");
        if (ttl.toMillis() < 1) {
            throw new IllegalArgumentException("ttl must be at least a millisecond");
        }
        String[] keys = {RedisKeys.presence(meetingId), RedisKeys.presenceHeartbeat(meetingId, participantId)};
        redis.call("presence_touch",
                r -> TOUCH.run(r, ScriptOutputType.INTEGER, keys, participantId, Long.toString(ttl.toMillis())));
    }

    @Override
    public Set<String> present(UUID meetingId) {
        String setKey = RedisKeys.presence(meetingId);
        return redis.call("presence_list", r -> {
            List<String> members = List.copyOf(r.smembers(setKey));
            if (members.isEmpty()) {
                return Set.of();
            }
            String[] keys = new String[members.size() + 1];
            keys[0] = setKey;
            for (int i = 0; i < members.size(); i++) {
                keys[i + 1] = RedisKeys.presenceHeartbeat(meetingId, members.get(i));
            }
            List<String> live = PRUNE.run(r, ScriptOutputType.MULTI, keys, members.toArray(String[]::new));
            return Set.copyOf(live);
        });
    }

    @Override
    public boolean isPresent(UUID meetingId, String participantId) {
        return redis.call("presence_check", r -> r.exists(RedisKeys.presenceHeartbeat(meetingId, participantId))) == 1L;
    }

    @Override
    public boolean remove(UUID meetingId, String participantId) {
        String[] keys = {RedisKeys.presence(meetingId), RedisKeys.presenceHeartbeat(meetingId, participantId)};
        Long existed = redis.call("presence_remove", r -> REMOVE.run(r, ScriptOutputType.INTEGER, keys, participantId));
        return existed == 1L;
    }
}
