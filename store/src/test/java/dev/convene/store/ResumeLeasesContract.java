package dev.convene.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link ResumeLeases} must do; each implementation's test extends this. Expiry is
 * awaited (bounded) in real time, with short leases.
 */
public abstract class ResumeLeasesContract {

    protected abstract ResumeLeases newLeases();

    private static final Duration MINUTE = Duration.ofMinutes(1);

    private ResumeLeases leases;
    private final UUID meeting = UUID.randomUUID();

    @BeforeEach
    void setUp() {
        leases = newLeases();
        // Shared stores may hold other tests' leases: start from none that have run out.
        leases.claimExpired(10_000);
    }

    @Test
    void aHeldLeaseCanBeTakenOverButNotClaimed() {
        leases.hold(meeting, "PA_1", MINUTE);
        assertThat(leases.claimExpired(100)).isEmpty();
        assertThat(leases.takeOver(meeting, "PA_1", MINUTE)).isTrue();
        assertThat(leases.takeOver(meeting, "PA_2", MINUTE)).as("never held").isFalse();
        assertThat(leases.takeOver(UUID.randomUUID(), "PA_1", MINUTE)).as("another meeting").isFalse();
    }

    @Test
    void anExpiredLeaseIsClaimedOnceAndCannotBeTakenOver() {
        leases.hold(meeting, "PA_1", Duration.ofMillis(50));
        leases.hold(meeting, "PA_2", MINUTE);
        await().atMost(Duration.ofSeconds(5)).until(() -> !leases.takeOver(meeting, "PA_1", MINUTE));
        List<ResumeLeases.Expired> claimed = leases.claimExpired(100);
        assertThat(claimed).containsExactly(new ResumeLeases.Expired(meeting, "PA_1"));
        assertThat(leases.claimExpired(100)).isEmpty();
        assertThat(leases.takeOver(meeting, "PA_1", MINUTE)).isFalse();
        assertThat(leases.takeOver(meeting, "PA_2", MINUTE)).isTrue();
    }

    @Test
    void releaseSaysWhetherThisCallEndedTheLease() {
        leases.hold(meeting, "PA_1", MINUTE);
        assertThat(leases.release(meeting, "PA_1")).isTrue();
        assertThat(leases.release(meeting, "PA_1")).isFalse();
        assertThat(leases.takeOver(meeting, "PA_1", MINUTE)).isFalse();
    }

    @Test
    void holdRefreshesAndRenewsARunningLease() {
        leases.hold(meeting, "PA_1", Duration.ofMillis(100));
        leases.hold(meeting, "PA_1", MINUTE);
        assertThat(leases.claimExpired(100)).isEmpty();
        assertThat(leases.takeOver(meeting, "PA_1", Duration.ofMillis(1))).isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> leases.claimExpired(100)
                .contains(new ResumeLeases.Expired(meeting, "PA_1")));
    }

    @Test
    void claimTakesAtMostTheAskedNumber() {
        for (int i = 0; i < 5; i++) {
            leases.hold(meeting, "PA_" + i, Duration.ofMillis(1));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> !leases.takeOver(meeting, "PA_4", MINUTE));
        assertThat(leases.claimExpired(3)).hasSize(3);
        assertThat(leases.claimExpired(3)).hasSize(2);
    }

    /**
     * A resume and three sweepers race for a lease at the moment it runs out, forty times:
     * exactly one of them wins each time, never none and never two.
     */
    @Test
    void aResumeRacingSweepersAtExpiryHasExactlyOneWinner() throws Exception {
        int resumed = 0;
        for (int round = 0; round < 40; round++) {
            String participant = "PA_race_" + round;
            leases.hold(meeting, participant, Duration.ofMillis(20 + round % 5));
            long due = System.nanoTime() + Duration.ofMillis(18 + round % 7).toNanos();
            ResumeLeases.Expired mine = new ResumeLeases.Expired(meeting, participant);
            java.util.concurrent.atomic.AtomicBoolean settled = new java.util.concurrent.atomic.AtomicBoolean();
            List<Integer> wins = Concurrently.run(4, i -> {
                while (System.nanoTime() < due) {
                    Thread.onSpinWait();
                }
                if (i == 0) {
                    boolean won = leases.takeOver(meeting, participant, MINUTE);
                    if (won) {
                        settled.set(true);
                    }
                    return won ? 1 : 0;
                }
                // A sweeper early for the expiry keeps trying until someone won (bounded).
                long giveUp = System.nanoTime() + Duration.ofSeconds(2).toNanos();
                while (!settled.get() && System.nanoTime() < giveUp) {
                    if (leases.claimExpired(100).contains(mine)) {
                        settled.set(true);
                        return 1;
                    }
                }
                return 0;
            });
            assertThat(wins.stream().mapToInt(Integer::intValue).sum()).as("round %d winners %s", round, wins).isEqualTo(1);
            if (wins.get(0) == 1) {
                resumed++;
                assertThat(leases.release(meeting, participant)).as("round %d: lease kept by the resume", round).isTrue();
            }
        }
        assertThat(resumed).isBetween(0, 40);
    }
}
