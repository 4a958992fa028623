package dev.convene.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Presence} must do; each implementation's test extends this. Expiry is
 * awaited (bounded) in real time, with short times to live.
 */
public abstract class PresenceContract {

    protected abstract Presence newPresence();

    private static final Duration MINUTE = Duration.ofMinutes(1);

    private Presence presence;
    private final UUID meeting = UUID.randomUUID();

    @BeforeEach
    void setUp() {
        presence = newPresence();
    }

    @Test
    void touchedParticipantsArePresentPerMeeting() {
        UUID other = UUID.randomUUID();
        presence.touch(meeting, "PA_1", MINUTE);
        presence.touch(meeting, "PA_2", MINUTE);
        presence.touch(other, "PA_3", MINUTE);

        assertThat(presence.present(meeting)).containsExactlyInAnyOrder("PA_1", "PA_2");
        assertThat(presence.present(other)).containsExactly("PA_3");
        assertThat(presence.present(UUID.randomUUID())).isEmpty();
        assertThat(presence.isPresent(meeting, "PA_1")).isTrue();
        assertThat(presence.isPresent(meeting, "PA_3")).isFalse();
    }

    @Test
    void removeSaysWhetherTheParticipantWasPresent() {
        presence.touch(meeting, "PA_1", MINUTE);
        assertThat(presence.remove(meeting, "PA_1")).isTrue();
        assertThat(presence.remove(meeting, "PA_1")).isFalse();
        assertThat(presence.remove(UUID.randomUUID(), "PA_1")).isFalse();
        assertThat(presence.present(meeting)).isEmpty();
        assertThat(presence.isPresent(meeting, "PA_1")).isFalse();
    }

    @Test
    void aParticipantWhoseHeartbeatsStopIsGone() {
        presence.touch(meeting, "PA_quiet", Duration.ofMillis(300));
        presence.touch(meeting, "PA_alive", MINUTE);
        await().atMost(Duration.ofSeconds(5)).until(() -> presence.present(meeting).equals(Set.of("PA_alive")));
        assertThat(presence.isPresent(meeting, "PA_quiet")).isFalse();
        assertThat(presence.remove(meeting, "PA_quiet")).isFalse();
    }

    @Test
    void aTouchReplacesTheEarlierExpiry() {
        presence.touch(meeting, "PA_1", MINUTE);
        presence.touch(meeting, "PA_1", Duration.ofMillis(300));
        await().atMost(Duration.ofSeconds(5)).until(() -> presence.present(meeting).isEmpty());

        presence.touch(meeting, "PA_1", MINUTE);
        assertThat(presence.present(meeting)).containsExactly("PA_1");
    }
}
