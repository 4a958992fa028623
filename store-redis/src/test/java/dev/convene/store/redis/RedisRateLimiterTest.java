package dev.convene.store.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.convene.store.RateLimiter;
import dev.convene.store.RateLimiter.Decision;
import dev.convene.store.RateLimiter.Limit;
import dev.convene.store.RateLimiterContract;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RedisRateLimiterTest extends RateLimiterContract {

    @RegisterExtension
    static final EmbeddedRedis redis = new EmbeddedRedis();

    @Override
    protected RateLimiter newLimiter() {
        return redis.stores().rateLimiter();
    }

    @Test
    void twoNodesShareOneBucket() throws Exception {
        List<RateLimiter> nodes = List.of(redis.newStores().rateLimiter(), redis.newStores().rateLimiter());
        Limit limit = Limit.of(10, Duration.ofMinutes(1));
        ExecutorService pool = Executors.newFixedThreadPool(40);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<Decision>> futures = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                RateLimiter node = nodes.get(i % 2);
                futures.add(pool.submit(() -> {
                    start.await();
                    return node.tryAcquire("join:ip:203.0.113.7", limit);
                }));
            }
            start.countDown();
            List<Decision> decisions = new ArrayList<>();
            for (Future<Decision> f : futures) {
                decisions.add(f.get(30, TimeUnit.SECONDS));
            }
            assertThat(decisions).filteredOn(Decision::allowed).hasSize(10);
            assertThat(decisions).filteredOn(d -> !d.allowed()).hasSize(30)
                    .allSatisfy(d -> assertThat(d.retryAfter()).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(6)))
                    .allSatisfy(d -> assertThat(d.retryAfterSeconds()).isBetween(1L, 6L));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aBucketIsOneHashThatExpiresOnceFull() {
        redis.stores().rateLimiter().tryAcquire("create:user:ada", Limit.of(5, Duration.ofSeconds(10)));
        assertThat(redis.admin().hkeys("ratelimit:create:user:ada")).containsExactlyInAnyOrder("tokens", "at");
        // One token to refill at 0.5 tokens/s: 2 s, plus a second of slack.
        assertThat(redis.admin().pttl("ratelimit:create:user:ada")).isBetween(2_000L, 3_000L);
    }
}
