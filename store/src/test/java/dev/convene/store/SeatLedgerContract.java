package dev.convene.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.convene.store.SeatLedger.Admission;
import dev.convene.store.SeatLedger.Claim;
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

/** What every {@link SeatLedger} must do; each implementation's test extends this. */
public abstract class SeatLedgerContract {

    protected abstract SeatLedger newLedger();

    /** The claim window of these tests: short, because shared ledgers measure it on a real clock. */
    protected static final Duration WINDOW = Duration.ofMillis(400);

    /**
     * Lets {@code d} pass on the ledger's clock. Ledgers on a real clock (Redis's, PostgreSQL's)
     * wait; in-process ones with a fake clock override this and advance it.
     */
    protected void elapse(Duration d) {
        long until = System.nanoTime() + d.toNanos();
        await().pollInterval(Duration.ofMillis(20)).atMost(d.plusSeconds(5)).until(() -> System.nanoTime() >= until);
    }

    private static Claim from(String user, String address, int max) {
        return new Claim(List.of("user:" + user, "addr:" + address), max, WINDOW);
    }

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
    void anUnclaimedSeatCountsAgainstTheCapacity() {
        assertThat(ledger.reserveUnclaimed(meeting, "PA_1", 2, from("US_1", "a1", 3))).isEqualTo(Admission.RESERVED);
        assertThat(ledger.occupancy(meeting)).isEqualTo(1);
        assertThat(ledger.holds(meeting, "PA_1")).isTrue();
        assertThat(ledger.reserve(meeting, "PA_2", 2)).isTrue();
        assertThat(ledger.reserveUnclaimed(meeting, "PA_3", 2, from("US_3", "a3", 3))).isEqualTo(Admission.FULL);
        assertThat(ledger.reserve(meeting, "PA_3", 2)).isFalse();
        assertThat(ledger.holds(meeting, "PA_3")).isFalse();
    }

    @Test
    void eachUserAndEachAddressHoldsOnlyAFewUnclaimedSeats() {
        assertThat(ledger.reserveUnclaimed(meeting, "PA_1", 20, from("US_1", "a1", 2))).isEqualTo(Admission.RESERVED);
        assertThat(ledger.reserveUnclaimed(meeting, "PA_2", 20, from("US_1", "a1", 2))).isEqualTo(Admission.RESERVED);
        assertThat(ledger.reserveUnclaimed(meeting, "PA_3", 20, from("US_1", "a2", 2))).as("same user")
                .isEqualTo(Admission.TOO_MANY_UNCLAIMED);
        assertThat(ledger.reserveUnclaimed(meeting, "PA_4", 20, from("US_2", "a1", 2))).as("same address")
                .isEqualTo(Admission.TOO_MANY_UNCLAIMED);
        assertThat(ledger.reserveUnclaimed(meeting, "PA_5", 20, from("US_2", "a2", 2))).as("someone else")
                .isEqualTo(Admission.RESERVED);
        assertThat(ledger.reserveUnclaimed(UUID.randomUUID(), "PA_6", 20, from("US_1", "a1", 2))).as("another meeting")
                .isEqualTo(Admission.RESERVED);
        assertThat(ledger.occupancy(meeting)).isEqualTo(3);

        // A claimed seat no longer counts against its holders, nor does a released one.
        assertThat(ledger.claim(meeting, "PA_1")).isTrue();
        assertThat(ledger.reserveUnclaimed(meeting, "PA_7", 20, from("US_1", "a1", 2))).isEqualTo(Admission.RESERVED);
        assertThat(ledger.release(meeting, "PA_2")).isTrue();
        assertThat(ledger.reserveUnclaimed(meeting, "PA_8", 20, from("US_9", "a1", 2))).isEqualTo(Admission.RESERVED);
        assertThat(ledger.occupancy(meeting)).isEqualTo(4);
    }

    @Test
    void anUnclaimedSeatLapsesUnlessItsSocketClaimsIt() {
        assertThat(ledger.reserveUnclaimed(meeting, "PA_lost", 2, from("US_1", "a1", 3))).isEqualTo(Admission.RESERVED);
        assertThat(ledger.reserveUnclaimed(meeting, "PA_came", 2, from("US_2", "a2", 3))).isEqualTo(Admission.RESERVED);
        assertThat(ledger.claim(meeting, "PA_came")).isTrue();
        assertThat(ledger.reserveUnclaimed(meeting, "PA_late", 2, from("US_3", "a3", 3))).isEqualTo(Admission.FULL);

        elapse(WINDOW.plusMillis(100));

        assertThat(ledger.holds(meeting, "PA_lost")).isFalse();
        assertThat(ledger.claim(meeting, "PA_lost")).as("too late").isFalse();
        assertThat(ledger.holds(meeting, "PA_came")).isTrue();
        assertThat(ledger.occupancy(meeting)).isEqualTo(1);
        assertThat(ledger.reserveUnclaimed(meeting, "PA_late", 2, from("US_3", "a3", 3))).isEqualTo(Admission.RESERVED);
        // The lapsed seat's holder may ask again.
        assertThat(ledger.reserveUnclaimed(UUID.randomUUID(), "PA_again", 2, from("US_1", "a1", 1)))
                .isEqualTo(Admission.RESERVED);
    }

    @Test
    void claimingTwiceRenewsAndReservingAnUnclaimedSeatClaimsIt() {
        ledger.reserveUnclaimed(meeting, "PA_1", 3, from("US_1", "a1", 3));
        ledger.reserveUnclaimed(meeting, "PA_2", 3, from("US_2", "a2", 3));
        assertThat(ledger.claim(meeting, "PA_1")).isTrue();
        assertThat(ledger.claim(meeting, "PA_1")).as("a second socket of the participant").isTrue();
        assertThat(ledger.reserve(meeting, "PA_2", 3)).isTrue();
        assertThat(ledger.claim(meeting, "PA_nobody")).isFalse();
        elapse(WINDOW.plusMillis(100));
        assertThat(ledger.holds(meeting, "PA_1")).isTrue();
        assertThat(ledger.holds(meeting, "PA_2")).isTrue();
        assertThat(ledger.occupancy(meeting)).isEqualTo(2);
    }

    @Test
    void threeHundredConcurrentUnclaimedJoinsFillExactlyOneHundredSeats() throws Exception {
        List<Admission> results = Concurrently.run(300, i -> ledger.reserveUnclaimed(meeting, "PA_" + i, 100,
                new Claim(List.of("user:US_" + i, "addr:10.0." + (i / 250) + "." + (i % 250)), 3, Duration.ofMinutes(1))));
        assertThat(results.stream().filter(a -> a == Admission.RESERVED).count()).isEqualTo(100);
        assertThat(results.stream().filter(a -> a == Admission.FULL).count()).isEqualTo(200);
        assertThat(ledger.occupancy(meeting)).isEqualTo(100);
    }

    @Test
    void concurrentJoinsFromOneAddressGetExactlyItsLimit() throws Exception {
        List<Admission> results = Concurrently.run(60, i -> ledger.reserveUnclaimed(meeting, "PA_" + i, 100,
                new Claim(List.of("user:US_" + i, "addr:203.0.113.9"), 3, Duration.ofMinutes(1))));
        assertThat(results.stream().filter(a -> a == Admission.RESERVED).count()).isEqualTo(3);
        assertThat(results.stream().filter(a -> a == Admission.TOO_MANY_UNCLAIMED).count()).isEqualTo(57);
        assertThat(ledger.occupancy(meeting)).isEqualTo(3);
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
