package dev.convene.store.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.convene.store.MeetingPlacement;
import dev.convene.store.MeetingPlacementContract;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class InMemoryMeetingPlacementTest extends MeetingPlacementContract {

    @Override
    protected MeetingPlacement newPlacement(Duration ttl) {
        return new InMemoryMeetingPlacement(Clock.systemUTC(), ttl);
    }

    @Test
    void refreshAndCompareAndSetRestartTheTimeToLive() {
        TestClock clock = new TestClock(Instant.parse("2026-01-01T10:00:00Z"));
        MeetingPlacement placement = new InMemoryMeetingPlacement(clock, Duration.ofHours(2));
        UUID meeting = UUID.randomUUID();
        placement.assignIfAbsent(meeting, "sfu-a");

        clock.advance(Duration.ofMinutes(110));
        assertThat(placement.refresh(meeting)).isTrue();
        clock.advance(Duration.ofMinutes(110));
        assertThat(placement.sfuFor(meeting)).contains("sfu-a");
        assertThat(placement.compareAndSet(meeting, "sfu-a", "sfu-b")).isTrue();
        clock.advance(Duration.ofMinutes(119));
        assertThat(placement.sfuFor(meeting)).contains("sfu-b");
        clock.advance(Duration.ofMinutes(1));
        assertThat(placement.sfuFor(meeting)).isEmpty();
        assertThat(placement.compareAndSet(meeting, "sfu-b", "sfu-c")).isFalse();
        assertThat(placement.clear(meeting)).isFalse();
    }
}
