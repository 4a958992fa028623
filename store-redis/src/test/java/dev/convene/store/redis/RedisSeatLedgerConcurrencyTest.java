package dev.convene.store.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.convene.store.SeatLedger;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The occupancy guarantee as signaling nodes exercise it: 300 joins at once for a meeting of
 * 100 seats, spread over three separate clients (three "nodes", each with its own Lettuce
 * connection), admit exactly 100, every time; after everyone leaves, no seat is held.
 */
class RedisSeatLedgerConcurrencyTest {

    @RegisterExtension
    static final EmbeddedRedis redis = new EmbeddedRedis();

    private static final int JOINS = 300;
    private static final int CAPACITY = 100;

    private static ExecutorService pool;
    private static List<SeatLedger> nodes;

    @BeforeAll
    static void startNodes() {
        pool = Executors.newFixedThreadPool(JOINS);
        nodes = List.of(redis.newStores().seats(), redis.newStores().seats(), redis.newStores().seats());
    }

    @AfterAll
    static void stopPool() {
        pool.shutdownNow();
    }

    @RepeatedTest(20)
    void threeHundredJoinsOnThreeNodesFillExactlyOneHundredSeats() throws Exception {
        UUID meeting = UUID.randomUUID();
        List<Boolean> admitted = runAtOnce(i -> nodes.get(i % nodes.size()).reserve(meeting, "PA_" + i, CAPACITY));
        assertThat(admitted.stream().filter(a -> a).count()).isEqualTo(CAPACITY);
        assertThat(nodes.getFirst().occupancy(meeting)).isEqualTo(CAPACITY);

        List<Boolean> released = runAtOnce(i -> nodes.get((i + 1) % nodes.size()).release(meeting, "PA_" + i));
        assertThat(released.stream().filter(r -> r).count()).isEqualTo(CAPACITY);
        assertThat(nodes.get(2).occupancy(meeting)).isZero();
        assertThat(redis.admin().exists(RedisKeys.seats(meeting))).isZero();
    }

    @FunctionalInterface
    private interface Join {
        boolean run(int index);
    }

    private static List<Boolean> runAtOnce(Join join) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Boolean>> futures = new ArrayList<>(JOINS);
        for (int i = 0; i < JOINS; i++) {
            int index = i;
            futures.add(pool.submit(() -> {
                start.await();
                return join.run(index);
            }));
        }
        start.countDown();
        List<Boolean> results = new ArrayList<>(JOINS);
        for (Future<Boolean> f : futures) {
            results.add(f.get(30, TimeUnit.SECONDS));
        }
        return results;
    }
}
