package dev.convene.signaling;

import static dev.convene.signaling.RestApiTest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import dev.convene.signaling.testing.TestServer;
import dev.convene.signaling.testing.TestServer.Response;
import dev.convene.store.RateLimiter.Limit;
import dev.convene.store.StoreUnavailableException;
import dev.convene.store.memory.InMemoryChatStore;
import dev.convene.store.memory.InMemoryEventBus;
import dev.convene.store.memory.InMemoryMeetingStore;
import dev.convene.store.memory.InMemoryParticipantStore;
import dev.convene.store.memory.InMemoryPresence;
import dev.convene.store.memory.InMemoryRateLimiter;
import dev.convene.store.memory.InMemorySeatLedger;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Creating and joining are rate limited per user and per address; an unreachable store answers 503. */
class RateLimitAndOutageTest {

    private static final SignalingConfig.RateLimits TIGHT = new SignalingConfig.RateLimits(
            Limit.of(2, Duration.ofMinutes(1)), Limit.of(100, Duration.ofMinutes(1)),
            Limit.of(3, Duration.ofMinutes(1)), Limit.of(100, Duration.ofMinutes(1)));

    @Test
    void aBurstBeyondTheLimitGets429WithRetryAfter() {
        try (TestServer t = new TestServer(c -> c.withRateLimits(TIGHT)
                .withHardening(c.hardening().withClaims(Duration.ofSeconds(10), 100)), Clock.systemUTC())) {
            String ada = t.guestToken("Ada");
            String meeting = t.createMeeting(ada, 50);
            t.createMeeting(ada, 50);
            Response third = t.request("POST", "/v1/meetings", ada, "{}");
            assertProblem(third, 429, "rate_limited");
            assertThat(Long.parseLong(third.header("Retry-After"))).isBetween(1L, 60L);

            for (int i = 0; i < 3; i++) {
                assertThat(t.join(ada, meeting).status()).isEqualTo(200);
            }
            Response fourth = t.join(ada, meeting);
            assertProblem(fourth, 429, "rate_limited");
            assertThat(fourth.header("Retry-After")).isNotNull();

            // Another user has a bucket of their own.
            assertThat(t.join(t.guestToken("Grace"), meeting).status()).isEqualTo(200);
        }
    }

    @Test
    void theAddressBucketLimitsEveryUserBehindOneAddress() {
        SignalingConfig.RateLimits perAddress = new SignalingConfig.RateLimits(
                Limit.of(100, Duration.ofMinutes(1)), Limit.of(100, Duration.ofMinutes(1)),
                Limit.of(100, Duration.ofMinutes(1)), Limit.of(2, Duration.ofMinutes(1)));
        try (TestServer t = new TestServer(c -> c.withRateLimits(perAddress), Clock.systemUTC())) {
            String meeting = t.createMeeting(t.guestToken("Host"), 50);
            assertThat(t.join(t.guestToken("A"), meeting).status()).isEqualTo(200);
            assertThat(t.join(t.guestToken("B"), meeting).status()).isEqualTo(200);
            assertProblem(t.join(t.guestToken("C"), meeting), 429, "rate_limited");
        }
    }

    @Test
    void anUnreachableSeatLedgerAnswers503AndTakesNoSeat() {
        InMemorySeatLedger seats = new InMemorySeatLedger();
        boolean[] down = {false};
        dev.convene.store.SeatLedger flaky = new dev.convene.store.SeatLedger() {
            @Override
            public boolean reserve(UUID meetingId, String participantId, int capacity) {
                if (down[0]) {
                    throw new StoreUnavailableException("redis: connection refused");
                }
                return seats.reserve(meetingId, participantId, capacity);
            }

            @Override
            public Admission reserveUnclaimed(UUID meetingId, String participantId, int capacity, Claim claim) {
                if (down[0]) {
                    throw new StoreUnavailableException("redis: connection refused");
                }
                return seats.reserveUnclaimed(meetingId, participantId, capacity, claim);
            }

            @Override
            public boolean claim(UUID meetingId, String participantId) {
                return seats.claim(meetingId, participantId);
            }

            @Override
            public boolean release(UUID meetingId, String participantId) {
                return seats.release(meetingId, participantId);
            }

            @Override
            public boolean holds(UUID meetingId, String participantId) {
                return seats.holds(meetingId, participantId);
            }

            @Override
            public int occupancy(UUID meetingId) {
                return seats.occupancy(meetingId);
            }
        };
        SignalingStores stores = new SignalingStores(new InMemoryMeetingStore(), flaky, new InMemoryParticipantStore(),
                new InMemoryChatStore(), new InMemoryEventBus(), new InMemoryRateLimiter(),
                new InMemoryPresence());
        try (TestServer t = new TestServer(c -> c, Clock.systemUTC(), stores)) {
            String ada = t.guestToken("Ada");
            String meeting = t.createMeeting(ada, 5);
            down[0] = true;
            Response r = t.join(ada, meeting);
            assertProblem(r, 503, "store_unavailable");
            assertThat(r.header("Retry-After")).isEqualTo("1");
            assertThat(seats.occupancy(UUID.fromString(meeting))).isZero();
            down[0] = false;
            assertThat(t.join(ada, meeting).status()).isEqualTo(200);
        }
    }
}
