package dev.convene.store;

import java.time.Duration;
import java.util.Objects;

/**
 * Token buckets by key (e.g. {@code join:user:<id>}, {@code create:ip:<addr>}). A bucket holds
 * up to {@link Limit#capacity()} tokens, starts full, and refills continuously at
 * {@link Limit#refillTokens()} per {@link Limit#refillPeriod()}; each request takes one token.
 * Networked implementations share buckets between nodes. Implementations are thread-safe.
 */
public interface RateLimiter {

    /** Takes one token from the key's bucket if there is one. */
    Decision tryAcquire(String key, Limit limit);

    /**
     * @param capacity     tokens the bucket holds at most (the burst)
     * @param refillTokens tokens added per {@code refillPeriod}, spread evenly over it
     * @param refillPeriod the period of the refill rate
     */
    record Limit(long capacity, long refillTokens, Duration refillPeriod) {

        public Limit {
            Objects.requireNonNull(refillPeriod, "refillPeriod");
            if (capacity < 1 || refillTokens < 1) {
                throw new IllegalArgumentException("capacity and refillTokens must be at least 1");
            }
            if (refillPeriod.isNegative() || refillPeriod.toNanos() < 1_000) {
                throw new IllegalArgumentException("refillPeriod must be at least a microsecond");
            }
        }

        /** {@code capacity} requests at once, and {@code capacity} more per {@code period}. */
        public static Limit of(long capacity, Duration period) {
            return new Limit(capacity, capacity, period);
        }

        /** Tokens added per nanosecond. */
        public double tokensPerNano() {
            return (double) refillTokens / refillPeriod.toNanos();
        }
    }

    /**
     * @param allowed    true if a token was taken
     * @param remaining  whole tokens left after the call
     * @param retryAfter zero when allowed; otherwise how long until a token is there
     */
    record Decision(boolean allowed, long remaining, Duration retryAfter) {

        public Decision {
            Objects.requireNonNull(retryAfter, "retryAfter");
            if (remaining < 0 || retryAfter.isNegative()) {
                throw new IllegalArgumentException("remaining and retryAfter must not be negative");
            }
        }

        public static Decision allow(long remaining) {
            return new Decision(true, remaining, Duration.ZERO);
        }

        public static Decision deny(Duration retryAfter) {
            return new Decision(false, 0, retryAfter);
        }

        /** Whole seconds for an HTTP {@code Retry-After} header: rounded up, at least 1 when denied. */
        public long retryAfterSeconds() {
            if (allowed) {
                return 0;
            }
            long nanos = retryAfter.toNanos();
            return Math.max(1, (nanos + 999_999_999L) / 1_000_000_000L);
        }
    }
}
