package dev.convene.server.impair;

import java.time.Duration;
import java.util.Objects;

/**
 * What one direction of an {@link ImpairingRelay} does to datagrams, like {@code tc netem}:
 * drop each with probability {@code loss}, hold it {@code delay} ± a uniform {@code jitter}
 * (which reorders packets closer together than the jitter), and cap the rate (0: none).
 */
public record Impairment(double loss, Duration delay, Duration jitter, long rateBitsPerSecond) {

    public static final Impairment NONE = new Impairment(0, Duration.ZERO, Duration.ZERO, 0);

    public Impairment {
        if (loss < 0 || loss > 1) {
            throw new IllegalArgumentException("loss is a probability: " + loss);
        }
        Objects.requireNonNull(delay, "delay");
        Objects.requireNonNull(jitter, "jitter");
        if (delay.isNegative() || jitter.isNegative()) {
            throw new IllegalArgumentException("delay and jitter must be non-negative");
        }
        if (rateBitsPerSecond < 0) {
            throw new IllegalArgumentException("rate must be non-negative");
        }
    }

    public Impairment withLoss(double p) {
        return new Impairment(p, delay, jitter, rateBitsPerSecond);
    }

    public Impairment withDelay(Duration d) {
        return new Impairment(loss, d, jitter, rateBitsPerSecond);
    }

    public Impairment withJitter(Duration j) {
        return new Impairment(loss, delay, j, rateBitsPerSecond);
    }

    public Impairment withRate(long bitsPerSecond) {
        return new Impairment(loss, delay, jitter, bitsPerSecond);
    }
}
