package dev.convene.store.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.convene.store.Presence;
import dev.convene.store.PresenceContract;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class InMemoryPresenceTest extends PresenceContract {

    @Override
    protected Presence newPresence() {
        return new InMemoryPresence();
    }

    @Test
    void presenceEndsExactlyAtTheTimeToLive() {
        TestClock clock = new TestClock(Instant.parse("2026-01-01T10:00:00Z"));
        Presence presence = new InMemoryPresence(clock);
        UUID meeting = UUID.randomUUID();
        presence.touch(meeting, "PA_1", Duration.ofSeconds(15));
        clock.advance(Duration.ofMillis(14_999));
        assertThat(presence.isPresent(meeting, "PA_1")).isTrue();
        presence.touch(meeting, "PA_1", Duration.ofSeconds(15));
        clock.advance(Duration.ofSeconds(15));
        assertThat(presence.isPresent(meeting, "PA_1")).isFalse();
        assertThat(presence.present(meeting)).isEmpty();
    }
}
