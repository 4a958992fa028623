package dev.convene.store.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.convene.store.SfuNodeInfo;
import dev.convene.store.SfuRegistry;
import dev.convene.store.SfuRegistryContract;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RedisSfuRegistryTest extends SfuRegistryContract {

    @RegisterExtension
    static final EmbeddedRedis redis = new EmbeddedRedis();

    @Override
    protected SfuRegistry newRegistry(Duration deadAfter) {
        return new RedisSfuRegistry(redis.stores().connection(), deadAfter, Duration.ofHours(1));
    }

    @Test
    void aNodeIsAHashAndAnIndexEntryThatExpireWhenForgotten() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        SfuRegistry registry = new RedisSfuRegistry(redis.stores().connection(), Duration.ofSeconds(3), Duration.ofSeconds(3));
        registry.heartbeat(new SfuNodeInfo("sfu-a", "http://10.0.0.1:7000", "10.0.0.1:50000", "eu-west", 1, 2, 0.5, false, now));
        assertThat(redis.admin().hget("sfu:node:sfu-a", "region")).isEqualTo("eu-west");
        assertThat(redis.admin().pttl("sfu:node:sfu-a")).isBetween(1L, 3_000L);
        assertThat(redis.admin().zscore("sfu:nodes", "sfu-a")).isEqualTo((double) now.toEpochMilli());

        // The hash is gone (forgotten) but the index still names the node: readers skip and prune it.
        redis.admin().del("sfu:node:sfu-a");
        assertThat(registry.all()).isEmpty();
        assertThat(redis.admin().zcard("sfu:nodes")).isZero();
    }

    @Test
    void afterRedisLostItsDataTheNextHeartbeatRegistersAnewAndTheMemoryBeginsAgain() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        SfuRegistry registry = redis.stores().sfuRegistry();
        SfuNodeInfo node = new SfuNodeInfo("sfu-a", "http://10.0.0.1:7000", "10.0.0.1:50000", "eu-west", 1, 2, 0.5, false, now);
        assertThat(registry.heartbeat(node)).isTrue();
        assertThat(registry.heartbeat(node.withHeartbeat(now.plusSeconds(1)))).isFalse();
        assertThat(registry.memorySince()).contains(now);

        redis.admin().flushall();
        assertThat(registry.memorySince()).isEmpty();
        assertThat(registry.heartbeat(node.withHeartbeat(now.plusSeconds(2)))).isTrue();
        assertThat(registry.memorySince()).contains(now.plusSeconds(2));
    }

    @Test
    void nodesRegisteredThroughOneClientAreSeenByAnother() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        redis.newStores().sfuRegistry()
                .heartbeat(new SfuNodeInfo("sfu-b", "http://10.0.0.2:7000", "10.0.0.2:50000", "us-east", 0, 0, 0.0, false, now));
        assertThat(redis.stores().sfuRegistry().healthy(now.plusMillis(500)))
                .extracting(SfuNodeInfo::nodeId).containsExactly("sfu-b");
    }
}
