package dev.convene.store;

import static org.assertj.core.api.Assertions.assertThat;

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

/** What every {@link SeatLedger} must do; each implementation's test extends this. */
public abstract class SeatLedgerContract {

    protected abstract SeatLedger newLedger();

    private SeatLedger ledger;
    private final UUID meeting = UUID.randomUUID();

    @BeforeEach
    void setUp() {
        ledger = newLedger();
    }

    @Test
    void reservesUpToCapacityAndNoMore() {
        assertThat(ledger.reserve(meeting, "PA_1", 2)).isTrue();
        assertThat(ledger.reserve(meeting, "PA_2", 2)).isTrue();
        assertThat(ledger.reserve(meeting, "PA_3", 2)).isFalse();
        assertThat(ledger.occupancy(meeting)).isEqualTo(2);
        assertThat(ledger.holds(meeting, "PA_3")).isFalse();
    }

    @Test
    void reservingAHeldSeatAgainTakesNoSecondSeat() {
        assertThat(ledger.reserve(meeting, "PA_1", 2)).isTrue();
        assertThat(ledger.reserve(meeting, "PA_1", 2)).isTrue();
        assertThat(ledger.occupancy(meeting)).isEqualTo(1);
    }

    @Test
    void aFullMeetingStillReadmitsItsOwnParticipant() {
        assertThat(ledger.reserve(meeting, "PA_1", 1)).isTrue();
        assertThat(ledger.reserve(meeting, "PA_1", 1)).isTrue();
    }

    @Test
    void releaseIsIdempotentAndFreesTheSeat() {
        ledger.reserve(meeting, "PA_1", 1);
        assertThat(ledger.release(meeting, "PA_1")).isTrue();
        assertThat(ledger.release(meeting, "PA_1")).isFalse();
        assertThat(ledger.release(UUID.randomUUID(), "PA_1")).isFalse();
        assertThat(ledger.occupancy(meeting)).isZero();
        assertThat(ledger.reserve(meeting, "PA_2", 1)).isTrue();
    }

    @Test
    void meetingsAreCountedApart() {
        UUID other = UUID.randomUUID();
        ledger.reserve(meeting, "PA_1", 1);
        assertThat(ledger.reserve(other, "PA_2", 1)).isTrue();
        assertThat(ledger.occupancy(other)).isEqualTo(1);
        assertThat(ledger.occupancy(UUID.randomUUID())).isZero();
    }

    @Test
    void threeHundredConcurrentJoinsFillExactlyOneHundredSeats() throws Exception {
        int threads = 300;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                String participant = "PA_" + i;
                results.add(pool.submit(() -> {
                    start.await();
                    return ledger.reserve(meeting, participant, 100);
                }));
            }
            start.countDown();
            int granted = 0;
            for (Future<Boolean> r : results) {
                if (r.get(30, TimeUnit.SECONDS)) {
                    granted++;
                }
            }
            assertThat(granted).isEqualTo(100);
            assertThat(ledger.occupancy(meeting)).isEqualTo(100);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void concurrentReleasesAndReservesNeverOverfill() throws Exception {
        int capacity = 10;
        ExecutorService pool = Executors.newFixedThreadPool(16);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                int worker = t;
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < 200; i++) {
                        String p = "PA_" + worker + "_" + (i % 3);
                        if (ledger.reserve(meeting, p, capacity)) {
                            assertThat(ledger.occupancy(meeting)).isLessThanOrEqualTo(capacity);
                            ledger.release(meeting, p);
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get(30, TimeUnit.SECONDS);
            }
            assertThat(ledger.occupancy(meeting)).isZero();
        } finally {
            pool.shutdownNow();
        }
    }
}
