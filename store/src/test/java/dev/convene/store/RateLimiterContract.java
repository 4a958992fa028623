package dev.convene.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.convene.store.RateLimiter.Decision;
import dev.convene.store.RateLimiter.Limit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What every {@link RateLimiter} must do; each implementation's test extends this. */
public abstract class RateLimiterContract {

    protected abstract RateLimiter newLimiter();

    private RateLimiter limiter;
    private final String key = "join:user:" + UUID.randomUUID();

    @BeforeEach
    void setUp() {
        limiter = newLimiter();
    }

    @Test
    void aBurstUpToCapacityPassesAndTheNextIsToldWhenToRetry() {
        Limit limit = Limit.of(5, Duration.ofHours(1));
        for (int i = 4; i >= 0; i--) {
            Decision d = limiter.tryAcquire(key, limit);
            assertThat(d.allowed()).isTrue();
            assertThat(d.remaining()).isEqualTo(i);
            assertThat(d.retryAfter()).isZero();
        }
        Decision denied = limiter.tryAcquire(key, limit);
        assertThat(denied.allowed()).isFalse();
        // One token every 12 minutes; a little of that has passed already.
        assertThat(denied.retryAfter()).isPositive().isLessThanOrEqualTo(Duration.ofMinutes(12));
        assertThat(denied.retryAfter()).isGreaterThan(Duration.ofMinutes(11));
        assertThat(denied.retryAfterSeconds()).isBetween(660L, 720L);
    }

    @Test
    void keysHaveTheirOwnBuckets() {
        Limit limit = Limit.of(1, Duration.ofHours(1));
        assertThat(limiter.tryAcquire(key, limit).allowed()).isTrue();
        assertThat(limiter.tryAcquire(key, limit).allowed()).isFalse();
        assertThat(limiter.tryAcquire(key + ":other", limit).allowed()).isTrue();
    }

    @Test
    void tokensComeBackOverTime() {
        Limit limit = new Limit(2, 1, Duration.ofMillis(200));
        assertThat(limiter.tryAcquire(key, limit).allowed()).isTrue();
        assertThat(limiter.tryAcquire(key, limit).allowed()).isTrue();
        Decision denied = limiter.tryAcquire(key, limit);
        assertThat(denied.allowed()).isFalse();
        assertThat(denied.retryAfter()).isPositive().isLessThanOrEqualTo(Duration.ofMillis(200));
        assertThat(denied.retryAfterSeconds()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(50))
                .until(() -> limiter.tryAcquire(key, limit).allowed());
    }

    @Test
    void concurrentRequestsNeverTakeMoreThanTheBucketHolds() throws Exception {
        Limit limit = Limit.of(20, Duration.ofHours(1));
        int threads = 60;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                results.add(pool.submit(() -> {
                    start.await();
                    return limiter.tryAcquire(key, limit).allowed();
                }));
            }
            start.countDown();
            int allowed = 0;
            for (Future<Boolean> r : results) {
                if (r.get(30, TimeUnit.SECONDS)) {
                    allowed++;
                }
            }
            assertThat(allowed).isEqualTo(20);
        } finally {
            pool.shutdownNow();
        }
    }
}
