package dev.convene.store.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.convene.store.SeatLedger;
import dev.convene.store.SeatLedger.Admission;
import dev.convene.store.SeatLedger.Claim;
import dev.convene.store.SeatLedgerContract;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class InMemorySeatLedgerTest extends SeatLedgerContract {

    private final TestClock clock = new TestClock(Instant.parse("2026-12-03T08:00:00Z"));

    @Override
    protected SeatLedger newLedger() {
        return new InMemorySeatLedger(clock);
    }

    @Override
    protected void elapse(Duration d) {
        clock.advance(d);
    }

    @Test
    void meetingsWhoseUnclaimedSeatsLapsedLeaveTheHeapWithoutBeingLookedAtAgain() {
        InMemorySeatLedger ledger = new InMemorySeatLedger(clock);
        for (int i = 0; i < 500; i++) {
            ledger.reserveUnclaimed(UUID.randomUUID(), "PA_" + i, 5,
                    new Claim(List.of("addr:192.0.2.1"), 3, Duration.ofSeconds(10)));
        }
        assertThat(ledger.meetingCount()).isEqualTo(500);
        clock.advance(Duration.ofSeconds(11));
        UUID busy = UUID.randomUUID();
        for (int i = 0; i < 1_100; i++) {
            ledger.occupancy(busy);
        }
        assertThat(ledger.meetingCount()).isZero();
        assertThat(ledger.reserveUnclaimed(busy, "PA_x", 1, new Claim(List.of("addr:192.0.2.1"), 1, Duration.ofSeconds(10))))
                .isEqualTo(Admission.RESERVED);
    }
}
