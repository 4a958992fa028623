package dev.convene.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What every {@link ParticipantStore} must do; each implementation's test extends this. */
public abstract class ParticipantStoreContract {

    protected abstract ParticipantStore newStore();

    private ParticipantStore store;
    private final UUID meeting = UUID.randomUUID();
    private final Instant t0 = Instant.parse("2026-11-25T10:00:00Z");

    @BeforeEach
    void setUp() {
        store = newStore();
    }

    @Test
    void recordsAndFindsAParticipant() {
        Participant p = Participant.joined("PA_1", meeting, "US_1", "Ada", t0);
        store.record(p);
        assertThat(store.find(meeting, "PA_1")).contains(p);
        assertThat(store.find(UUID.randomUUID(), "PA_1")).isEmpty();
    }

    @Test
    void presentListsOnlyThoseWhoHaveNotLeftInJoinOrder() {
        store.record(Participant.joined("PA_2", meeting, "US_2", "Grace", t0.plusSeconds(2)));
        store.record(Participant.joined("PA_1", meeting, "US_1", "Ada", t0.plusSeconds(1)));
        store.record(Participant.joined("PA_3", meeting, "US_3", "Linus", t0.plusSeconds(3)));
        store.markLeft(meeting, "PA_3", t0.plusSeconds(4));
        assertThat(store.present(meeting)).extracting(Participant::id).containsExactly("PA_1", "PA_2");
        assertThat(store.present(UUID.randomUUID())).isEmpty();
    }

    @Test
    void markLeftSetsLeftAtOnce() {
        store.record(Participant.joined("PA_1", meeting, "US_1", "Ada", t0));
        assertThat(store.markLeft(meeting, "PA_1", t0.plusSeconds(5))).isTrue();
        assertThat(store.markLeft(meeting, "PA_1", t0.plusSeconds(9))).isFalse();
        assertThat(store.markLeft(meeting, "PA_nobody", t0)).isFalse();
        assertThat(store.find(meeting, "PA_1").flatMap(Participant::left)).contains(t0.plusSeconds(5));
    }

    @Test
    void recordingAgainMakesAParticipantPresentAgain() {
        store.record(Participant.joined("PA_1", meeting, "US_1", "Ada", t0));
        store.markLeft(meeting, "PA_1", t0.plusSeconds(5));
        store.record(Participant.joined("PA_1", meeting, "US_1", "Ada", t0.plusSeconds(6)));
        assertThat(store.present(meeting)).extracting(Participant::id).containsExactly("PA_1");
    }

    @Test
    void attendedIsTrueForPresentAndPastParticipantsOnly() {
        store.record(Participant.joined("PA_1", meeting, "US_now", "Ada", t0));
        store.record(Participant.joined("PA_2", meeting, "US_past", "Grace", t0));
        store.markLeft(meeting, "PA_2", t0.plusSeconds(5));
        assertThat(store.attended(meeting, "US_now")).isTrue();
        assertThat(store.attended(meeting, "US_past")).isTrue();
        assertThat(store.attended(meeting, "US_never")).isFalse();
        assertThat(store.attended(UUID.randomUUID(), "US_now")).as("another meeting").isFalse();
    }
}
