package dev.convene.store.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.convene.store.RateLimiter;
import dev.convene.store.RateLimiter.Decision;
import dev.convene.store.RateLimiter.Limit;
import dev.convene.store.RateLimiterContract;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class InMemoryRateLimiterTest extends RateLimiterContract {

    @Override
    protected RateLimiter newLimiter() {
        return new InMemoryRateLimiter();
    }

    @Test
    void refillIsContinuousAndRetryAfterExact() {
        TestClock clock = new TestClock(Instant.parse("2026-01-01T10:00:00Z"));
        InMemoryRateLimiter limiter = new InMemoryRateLimiter(clock);
        Limit limit = Limit.of(5, Duration.ofMinutes(1));
        for (int i = 0; i < 5; i++) {
            assertThat(limiter.tryAcquire("k", limit).allowed()).isTrue();
        }
        Decision denied = limiter.tryAcquire("k", limit);
        assertThat(denied.allowed()).isFalse();
        assertThat(denied.retryAfter()).isEqualTo(Duration.ofSeconds(12));
        assertThat(denied.retryAfterSeconds()).isEqualTo(12);

        clock.advance(Duration.ofSeconds(6));
        assertThat(limiter.tryAcquire("k", limit).retryAfter()).isEqualTo(Duration.ofSeconds(6));
        clock.advance(Duration.ofSeconds(6));
        assertThat(limiter.tryAcquire("k", limit)).isEqualTo(Decision.allow(0));

        clock.advance(Duration.ofHours(1));
        assertThat(limiter.tryAcquire("k", limit)).isEqualTo(Decision.allow(4));
    }

    @Test
    void refilledBucketsAreForgotten() {
        TestClock clock = new TestClock(Instant.parse("2026-01-01T10:00:00Z"));
        InMemoryRateLimiter limiter = new InMemoryRateLimiter(clock);
        Limit limit = Limit.of(10, Duration.ofSeconds(1));
        for (int i = 0; i < 5_000; i++) {
            limiter.tryAcquire("ip:" + i, limit);
        }
        clock.advance(Duration.ofSeconds(2));
        for (int i = 0; i < 5_000; i++) {
            limiter.tryAcquire("other:" + i, limit);
        }
        assertThat(limiter.bucketCount()).isLessThan(10_000);
    }
}
