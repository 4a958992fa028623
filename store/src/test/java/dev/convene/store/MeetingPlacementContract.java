package dev.convene.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What every {@link MeetingPlacement} must do; each implementation's test extends this. */
public abstract class MeetingPlacementContract {

    protected abstract MeetingPlacement newPlacement(Duration ttl);

    private final UUID meeting = UUID.randomUUID();

    private MeetingPlacement placement() {
        return newPlacement(MeetingPlacement.DEFAULT_TTL);
    }

    @Test
    void theFirstAssignmentWins() {
        MeetingPlacement placement = placement();
        assertThat(placement.sfuFor(meeting)).isEmpty();
        assertThat(placement.assignIfAbsent(meeting, "sfu-a")).isEqualTo("sfu-a");
        assertThat(placement.assignIfAbsent(meeting, "sfu-b")).isEqualTo("sfu-a");
        assertThat(placement.sfuFor(meeting)).contains("sfu-a");
        assertThat(placement.sfuFor(UUID.randomUUID())).isEmpty();
    }

    @Test
    void concurrentAssignmentsAgreeOnOneNode() throws Exception {
        MeetingPlacement placement = placement();
        List<String> winners = Concurrently.run(40, i -> placement.assignIfAbsent(meeting, "sfu-" + i));
        assertThat(new HashSet<>(winners)).hasSize(1);
        assertThat(placement.sfuFor(meeting)).contains(winners.getFirst());
    }

    @Test
    void compareAndSetMovesOnlyFromTheExpectedNode() {
        MeetingPlacement placement = placement();
        assertThat(placement.compareAndSet(meeting, "sfu-a", "sfu-b")).isFalse();
        assertThat(placement.sfuFor(meeting)).isEmpty();

        placement.assignIfAbsent(meeting, "sfu-a");
        assertThat(placement.compareAndSet(meeting, "sfu-x", "sfu-b")).isFalse();
        assertThat(placement.sfuFor(meeting)).contains("sfu-a");
        assertThat(placement.compareAndSet(meeting, "sfu-a", "sfu-b")).isTrue();
        assertThat(placement.sfuFor(meeting)).contains("sfu-b");
        assertThat(placement.compareAndSet(meeting, "sfu-a", "sfu-c")).isFalse();
        assertThat(placement.sfuFor(meeting)).contains("sfu-b");
    }

    @Test
    void ofConcurrentFailoversExactlyOneWins() throws Exception {
        MeetingPlacement placement = placement();
        placement.assignIfAbsent(meeting, "sfu-dead");
        List<Boolean> results = Concurrently.run(20, i -> placement.compareAndSet(meeting, "sfu-dead", "sfu-" + i));
        assertThat(results.stream().filter(b -> b).count()).isEqualTo(1);
        int winner = results.indexOf(true);
        assertThat(placement.sfuFor(meeting)).contains("sfu-" + winner);
    }

    @Test
    void refreshAndClearSayWhetherTheMeetingWasPlaced() {
        MeetingPlacement placement = placement();
        assertThat(placement.refresh(meeting)).isFalse();
        assertThat(placement.clear(meeting)).isFalse();
        placement.assignIfAbsent(meeting, "sfu-a");
        assertThat(placement.refresh(meeting)).isTrue();
        assertThat(placement.sfuFor(meeting)).contains("sfu-a");
        assertThat(placement.clear(meeting)).isTrue();
        assertThat(placement.sfuFor(meeting)).isEmpty();
        assertThat(placement.assignIfAbsent(meeting, "sfu-b")).isEqualTo("sfu-b");
    }

    @Test
    void aPlacementNotRefreshedExpires() {
        MeetingPlacement placement = newPlacement(Duration.ofMillis(300));
        placement.assignIfAbsent(meeting, "sfu-a");
        await().atMost(Duration.ofSeconds(5)).until(() -> placement.sfuFor(meeting).isEmpty());
        assertThat(placement.refresh(meeting)).isFalse();
        assertThat(placement.assignIfAbsent(meeting, "sfu-b")).isEqualTo("sfu-b");
    }
}
