package dev.convene.control;

import java.time.Duration;

/** Delays between reconnection attempts: doubling from a minimum to a cap, with jitter. */
final class Backoff {

    private Backoff() {}

    /**
     * @param failures attempts failed in a row, at least 1
     * @param random a number in [0, 1): the delay is drawn from the upper half of the step, so
     *     signaling nodes that lost one SFU together do not all reconnect in the same instant
     */
    static Duration delay(int failures, Duration min, Duration max, double random) {
        int doublings = Math.min(Math.max(failures, 1) - 1, 30);
        long step = min.toMillis() << doublings;
        long capped = Math.min(step, max.toMillis());
        long half = capped / 2;
        return Duration.ofMillis(half + (long) (random * (capped - half)));
    }
}
