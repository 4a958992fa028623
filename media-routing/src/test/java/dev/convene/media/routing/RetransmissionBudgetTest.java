package dev.convene.media.routing;

import static dev.convene.media.routing.TestPackets.MS;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RetransmissionBudgetTest {

    @Test
    void fillsAtAShareOfTheMediaRatePlusTheFloorUpToTheBurst() {
        RetransmissionBudget budget = new RetransmissionBudget(0.2, 80_000, 100 * MS);
        long mediaBps = 2_000_000; // allowed 480 kbit/s = 60 000 bytes/s; burst 6 000 bytes
        assertThat(budget.allowedBps(mediaBps)).isEqualTo(480_000);
        assertThat(budget.tryConsume(6_000, 0, mediaBps)).isTrue();
        assertThat(budget.tryConsume(1, 0, mediaBps)).isFalse();
        assertThat(budget.tryConsume(600, 10 * MS, mediaBps)).isTrue();
        assertThat(budget.tryConsume(600, 10 * MS, mediaBps)).isFalse();
        assertThat(budget.tryConsume(6_000, 10_000 * MS, mediaBps)).as("a long pause fills only the burst").isTrue();
        assertThat(budget.tryConsume(100, 10_000 * MS, mediaBps)).isFalse();
    }
}
