package dev.convene.store.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.convene.store.MeetingPlacement;
import dev.convene.store.MeetingPlacementContract;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RedisMeetingPlacementTest extends MeetingPlacementContract {

    @RegisterExtension
    static final EmbeddedRedis redis = new EmbeddedRedis();

    @Override
    protected MeetingPlacement newPlacement(Duration ttl) {
        return new RedisMeetingPlacement(redis.stores().connection(), ttl);
    }

    @Test
    void thePlacementKeyExpiresAfterTwoHoursUnlessRefreshed() {
        UUID meeting = UUID.randomUUID();
        String key = "meeting:sfu:{" + meeting + "}";
        MeetingPlacement placement = redis.stores().placement();
        placement.assignIfAbsent(meeting, "sfu-a");
        assertThat(redis.admin().get(key)).isEqualTo("sfu-a");
        assertThat(redis.admin().pttl(key)).isBetween(Duration.ofHours(2).minusSeconds(5).toMillis(), Duration.ofHours(2).toMillis());

        redis.admin().pexpire(key, 60_000);
        assertThat(placement.refresh(meeting)).isTrue();
        assertThat(redis.admin().pttl(key)).isGreaterThan(Duration.ofHours(2).minusSeconds(5).toMillis());

        redis.admin().pexpire(key, 60_000);
        assertThat(placement.compareAndSet(meeting, "sfu-a", "sfu-b")).isTrue();
        assertThat(redis.admin().pttl(key)).isGreaterThan(Duration.ofHours(2).minusSeconds(5).toMillis());
    }
}
