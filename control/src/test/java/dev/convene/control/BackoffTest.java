package dev.convene.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {

    private static final Duration MIN = Duration.ofMillis(100);
    private static final Duration MAX = Duration.ofSeconds(5);

    @Test
    void doublesFromTheMinimumUpToTheCapWithinTheUpperHalf() {
        assertThat(Backoff.delay(1, MIN, MAX, 0.0)).isEqualTo(Duration.ofMillis(50));
        assertThat(Backoff.delay(1, MIN, MAX, 0.999)).isBetween(Duration.ofMillis(99), MIN);
        assertThat(Backoff.delay(3, MIN, MAX, 0.999)).isBetween(Duration.ofMillis(399), Duration.ofMillis(400));
        assertThat(Backoff.delay(20, MIN, MAX, 0.999)).isBetween(Duration.ofMillis(4_990), MAX);
        assertThat(Backoff.delay(10_000, MIN, MAX, 0.0)).isEqualTo(Duration.ofMillis(2_500));
    }
}
