package dev.convene.store.memory;

import dev.convene.store.RateLimiter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Token buckets in a map, for one process. A bucket is updated inside
 * {@link ConcurrentMap#compute}, atomic per key. Buckets that have refilled completely are
 * dropped now and then (a full bucket and no bucket mean the same), so many one-off keys
 * (client addresses) do not grow the heap without limit.
 */
public final class InMemoryRateLimiter implements RateLimiter {

    private static final int SWEEP_EVERY = 4_096;

    /** {@code refillNanos} is the time the bucket needs to become full again after {@code at}. */
    private record Bucket(double tokens, Instant at, long refillNanos) {}

    private final Clock clock;
    private final ConcurrentMap<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final AtomicLong calls = new AtomicLong();

    public InMemoryRateLimiter() {
        this(Clock.systemUTC());
    }

    public InMemoryRateLimiter(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public Decision tryAcquire(String key, Limit limit) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(limit, "limit");
        Instant now = clock.instant();
        double rate = limit.tokensPerNano();
        Decision[] decision = new Decision[1];
        buckets.compute(key, (k, b) -> {
            double tokens = limit.capacity();
            if (b != null) {
                long elapsed = Math.max(0, Duration.between(b.at(), now).toNanos());
                tokens = Math.min(limit.capacity(), b.tokens() + elapsed * rate);
            }
            if (tokens >= 1.0) {
                tokens -= 1.0;
                decision[0] = Decision.allow((long) Math.floor(tokens));
            } else {
                decision[0] = Decision.deny(Duration.ofNanos((long) Math.ceil((1.0 - tokens) / rate)));
            }
            return new Bucket(tokens, now, (long) Math.ceil((limit.capacity() - tokens) / rate));
        });
        if (calls.incrementAndGet() % SWEEP_EVERY == 0) {
            buckets.entrySet().removeIf(e -> !now.isBefore(e.getValue().at().plusNanos(e.getValue().refillNanos())));
        }
        return decision[0];
    }

    /** Buckets held now; for tests and metrics. */
    public int bucketCount() {
        return buckets.size();
    }
}
