package dev.convene.store.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.convene.store.SeatLedger;
import dev.convene.store.SeatLedgerContract;
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
        assertThat(redis.admin().smembers("seats:{" + meeting + "}")).containsExactlyInAnyOrder("PA_1", "PA_2");
        ledger.release(meeting, "PA_1");
        ledger.release(meeting, "PA_2");
        assertThat(redis.admin().exists("seats:{" + meeting + "}")).isZero();
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
