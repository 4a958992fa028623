package dev.convene.store.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.convene.store.ResumeLeases;
import dev.convene.store.ResumeLeasesContract;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RedisResumeLeasesTest extends ResumeLeasesContract {

    @RegisterExtension
    static final EmbeddedRedis redis = new EmbeddedRedis();

    @Override
    protected ResumeLeases newLeases() {
        return redis.stores().resumeLeases();
    }

    @Test
    void aLeaseHeldThroughOneNodeIsTakenOverThroughAnother() {
        UUID meeting = UUID.randomUUID();
        redis.newStores().resumeLeases().hold(meeting, "PA_1", Duration.ofMinutes(1));
        assertThat(redis.stores().resumeLeases().takeOver(meeting, "PA_1", Duration.ofMinutes(1))).isTrue();
        assertThat(redis.admin().zscore(RedisKeys.RESUME_LEASES, meeting + " PA_1")).isPositive();
    }
}
