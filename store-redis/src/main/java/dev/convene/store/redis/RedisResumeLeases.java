package dev.convene.store.redis;

import dev.convene.store.ResumeLeases;
import io.lettuce.core.ScriptOutputType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * Resume leases as one sorted set ({@value RedisKeys#RESUME_LEASES}): member
 * {@code <meetingId> <participantId>}, score the lease's end in ms on Redis's clock. Every
 * operation is one script on that one key, so Redis runs a resume's take-over and a sweeper's
 * claim one after the other, never interleaved: whichever comes first wins, the other sees the
 * outcome.
 */
public final class RedisResumeLeases implements ResumeLeases {

    private static final String NOW_MS = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            """;

    private static final RedisScript HOLD = new RedisScript(NOW_MS + """
            redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
            return 1
            """);

    private static final RedisScript TAKE_OVER = new RedisScript(NOW_MS + """
            local ends = redis.call('ZSCORE', KEYS[1], ARGV[1])
            if not ends or tonumber(ends) <= now then
              return 0
            end
            redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
            return 1
            """);

    private static final RedisScript CLAIM = new RedisScript(NOW_MS + """
            local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
            for _, member in ipairs(expired) do
              redis.call('ZREM', KEYS[1], member)
            end
            return expired
            """);

    private final RedisConnection redis;

    RedisResumeLeases(RedisConnection redis) {
        this.redis = redis;
    }

    @Override
    public void hold(UUID meetingId, String participantId, Duration ttl) {
        String member = member(meetingId, participantId);
        redis.call("resume_hold", r -> HOLD.run(r, ScriptOutputType.INTEGER, keys(), member, millis(ttl)));
    }

    @Override
    public boolean takeOver(UUID meetingId, String participantId, Duration ttl) {
        String member = member(meetingId, participantId);
        Long won = redis.call("resume_take_over", r -> TAKE_OVER.run(r, ScriptOutputType.INTEGER, keys(), member, millis(ttl)));
        return won == 1L;
    }

    @Override
    public boolean release(UUID meetingId, String participantId) {
        String member = member(meetingId, participantId);
        return redis.call("resume_release", r -> r.zrem(RedisKeys.RESUME_LEASES, member)) == 1L;
    }

    @Override
    public List<Expired> claimExpired(int max) {
        List<String> members = redis.call("resume_claim",
                r -> CLAIM.run(r, ScriptOutputType.MULTI, keys(), Integer.toString(max)));
        List<Expired> claimed = new ArrayList<>(members.size());
        for (String m : members) {
            int space = m.indexOf(' ');
            try {
                claimed.add(new Expired(UUID.fromString(m.substring(0, space)), m.substring(space + 1)));
            } catch (RuntimeException e) {
                // Not ours to interpret (written by something else): claimed, so it is gone, and skipped.
            }
        }
        return claimed;
    }

    private static String[] keys() {
        return new String[] {RedisKeys.RESUME_LEASES};
    }

    private static String member(UUID meetingId, String participantId) {
        Objects.requireNonNull(participantId, "participantId");
        if (participantId.indexOf(' ') >= 0) {
            throw new IllegalArgumentException("participant ids have no spaces");
        }
        return meetingId + " " + participantId;
    }

    private static String millis(Duration ttl) {
        if (ttl.toMillis() < 1) {
            throw new IllegalArgumentException("ttl must be at least a millisecond");
        }
        return Long.toString(ttl.toMillis());
    }
}
