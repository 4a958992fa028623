package dev.convene.store.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.convene.store.Presence;
import dev.convene.store.PresenceContract;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RedisPresenceTest extends PresenceContract {

    @RegisterExtension
    static final EmbeddedRedis redis = new EmbeddedRedis();

    @Override
    protected Presence newPresence() {
        return redis.stores().presence();
    }

    @Test
    void expiredMembersArePrunedAndTheSetExpiresWithTheLastHeartbeat() {
        UUID meeting = UUID.randomUUID();
        Presence presence = newPresence();
        presence.touch(meeting, "PA_1", Duration.ofMillis(200));
        presence.touch(meeting, "PA_2", Duration.ofMillis(400));
        assertThat(redis.admin().smembers("presence:{" + meeting + "}")).containsExactlyInAnyOrder("PA_1", "PA_2");
        assertThat(redis.admin().pttl("presence:{" + meeting + "}:PA_2")).isPositive();

        await().atMost(Duration.ofSeconds(5)).until(() -> presence.present(meeting).size() == 1);
        assertThat(redis.admin().smembers("presence:{" + meeting + "}")).containsExactly("PA_2");
        await().atMost(Duration.ofSeconds(5)).until(() -> redis.admin().exists("presence:{" + meeting + "}") == 0);
    }

    @Test
    void presenceIsSharedBetweenNodes() {
        UUID meeting = UUID.randomUUID();
        redis.newStores().presence().touch(meeting, "PA_1", Duration.ofMinutes(1));
        assertThat(redis.stores().presence().present(meeting)).containsExactly("PA_1");
    }
}
