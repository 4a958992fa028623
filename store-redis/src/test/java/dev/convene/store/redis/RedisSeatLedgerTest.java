package dev.convene.store.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.convene.store.SeatLedger;
import dev.convene.store.SeatLedgerContract;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RedisSeatLedgerTest extends SeatLedgerContract {

    @RegisterExtension
    static final EmbeddedRedis redis = new EmbeddedRedis();

    @Override
    protected SeatLedger newLedger() {
        return redis.stores().seats();
    }

    @Test
    void seatsLiveInOneHashTaggedSetThatVanishesWhenEmpty() {
        UUID meeting = UUID.randomUUID();
        SeatLedger ledger = newLedger();
        ledger.reserve(meeting, "PA_1", 3);
        ledger.reserve(meeting, "PA_2", 3);
        assertThat(redis.admin().zrange("seats:{" + meeting + "}", 0, -1)).containsExactlyInAnyOrder("PA_1", "PA_2");
        assertThat(redis.admin().pttl("seats:{" + meeting + "}")).isBetween(1L, SeatLedger.DEFAULT_LEASE.toMillis());
        ledger.release(meeting, "PA_1");
        ledger.release(meeting, "PA_2");
        assertThat(redis.admin().exists("seats:{" + meeting + "}")).isZero();
    }

    @Test
    void aSeatThatIsNotReservedAgainFreesItselfWhenItsLeaseEnds() {
        try (RedisStores stores = redis.newStores(RedisSettings.defaults().withSeatLease(Duration.ofMillis(600)))) {
            UUID meeting = UUID.randomUUID();
            SeatLedger ledger = stores.seats();
            assertThat(ledger.reserve(meeting, "PA_renewed", 2)).isTrue();
            assertThat(ledger.reserve(meeting, "PA_crashed_node", 2)).isTrue();
            assertThat(ledger.reserve(meeting, "PA_late", 2)).as("full").isFalse();

            // Only PA_renewed's node keeps renewing; PA_crashed_node's node is gone.
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
                assertThat(ledger.reserve(meeting, "PA_renewed", 2)).isTrue();
                assertThat(ledger.holds(meeting, "PA_crashed_node")).isFalse();
            });
            assertThat(ledger.occupancy(meeting)).isEqualTo(1);
            assertThat(ledger.reserve(meeting, "PA_late", 2)).as("the expired seat is free again").isTrue();
            assertThat(ledger.holds(meeting, "PA_renewed")).isTrue();
        }
    }

    @Test
    void unclaimedSeatsAreListedWithTheirHoldersBesideTheSetAndLeaveNothingBehind() {
        UUID meeting = UUID.randomUUID();
        SeatLedger ledger = newLedger();
        SeatLedger.Claim claim = new SeatLedger.Claim(java.util.List.of("user:US_1", "addr:192.0.2.1"), 3,
                Duration.ofSeconds(10));
        assertThat(ledger.reserveUnclaimed(meeting, "PA_1", 5, claim)).isEqualTo(SeatLedger.Admission.RESERVED);
        assertThat(redis.admin().hget(RedisKeys.unclaimedSeats(meeting), "PA_1")).isEqualTo("user:US_1\naddr:192.0.2.1");
        assertThat(redis.admin().zscore(RedisKeys.seats(meeting), "PA_1")).isNotNull();
        assertThat(redis.admin().pttl(RedisKeys.unclaimedSeats(meeting))).isPositive();

        assertThat(ledger.claim(meeting, "PA_1")).isTrue();
        assertThat(redis.admin().hexists(RedisKeys.unclaimedSeats(meeting), "PA_1")).isFalse();
        assertThat(redis.admin().pttl(RedisKeys.seats(meeting))).isGreaterThan(Duration.ofSeconds(10).toMillis());

        ledger.release(meeting, "PA_1");
        assertThat(redis.admin().exists(RedisKeys.seats(meeting), RedisKeys.unclaimedSeats(meeting))).isZero();
    }

    @Test
    void aRestartedRedisWithAnEmptyScriptCacheStillRunsTheScript() {
        UUID meeting = UUID.randomUUID();
        SeatLedger ledger = newLedger();
        assertThat(ledger.reserve(meeting, "PA_1", 1)).isTrue();
        redis.admin().scriptFlush();
        assertThat(ledger.reserve(meeting, "PA_2", 1)).isFalse();
        assertThat(ledger.reserve(meeting, "PA_1", 1)).isTrue();
    }
}
