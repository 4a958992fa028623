package dev.convene.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.convene.store.SeatLedger;
import dev.convene.store.SeatLedgerContract;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PostgresSeatLedgerTest extends SeatLedgerContract {

    @Override
    protected SeatLedger newLedger() {
        TestDatabase.truncate();
        return TestDatabase.stores().seats();
    }

    /**
     * Three pools stand for three signaling nodes: 300 joins race over 30 connections for 100
     * seats, five times over, and never one seat too many.
     */
    @Test
    void threeHundredJoinsOverThreeNodesFillExactlyOneHundredSeats() throws Exception {
        List<PostgresStores> nodes = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(300);
        try {
            for (int n = 0; n < 3; n++) {
                nodes.add(PostgresStores.open(TestDatabase.config().withMaxPoolSize(10)));
            }
            for (int round = 0; round < 5; round++) {
                UUID meeting = UUID.randomUUID();
                CountDownLatch start = new CountDownLatch(1);
                List<Future<Boolean>> results = new ArrayList<>();
                for (int i = 0; i < 300; i++) {
                    PostgresSeatLedger ledger = nodes.get(i % nodes.size()).seats();
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
                assertThat(granted).as("round %d", round).isEqualTo(100);
                assertThat(nodes.getFirst().seats().occupancy(meeting)).isEqualTo(100);
                assertThat(nodes.get(1).seats().releaseAll(meeting)).isEqualTo(100);
                assertThat(nodes.get(2).seats().occupancy(meeting)).isZero();
            }
        } finally {
            pool.shutdownNow();
            nodes.forEach(PostgresStores::close);
        }
    }

    @Test
    void aSeatFreedAfterReleaseAllIsTakenAgainFromZero() {
        PostgresSeatLedger ledger = TestDatabase.stores().seats();
        UUID meeting = UUID.randomUUID();
        assertThat(ledger.reserve(meeting, "PA_1", 1)).isTrue();
        assertThat(ledger.reserve(meeting, "PA_2", 1)).isFalse();
        assertThat(ledger.releaseAll(meeting)).isEqualTo(1);
        assertThat(ledger.releaseAll(meeting)).isZero();
        assertThat(ledger.reserve(meeting, "PA_2", 1)).isTrue();
        assertThat(ledger.holds(meeting, "PA_2")).isTrue();
    }
}
