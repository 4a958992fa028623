package dev.convene.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What every {@link MeetingStore} must do; each implementation's test extends this. */
public abstract class MeetingStoreContract {

    protected abstract MeetingStore newStore();

    private MeetingStore store;

    @BeforeEach
    void setUp() {
        store = newStore();
    }

    static Meeting meeting() {
        return new Meeting(UUID.randomUUID(), "Weekly", "US_host", 100,
                Instant.parse("2026-11-25T10:00:00Z").truncatedTo(ChronoUnit.MILLIS), MeetingStatus.ACTIVE);
    }

    @Test
    void findsWhatWasCreated() {
        Meeting m = meeting();
        store.create(m);
        assertThat(store.find(m.id())).contains(m);
    }

    @Test
    void findsNothingForAnUnknownId() {
        assertThat(store.find(UUID.randomUUID())).isEmpty();
    }

    @Test
    void refusesADuplicateId() {
        Meeting m = meeting();
        store.create(m);
        assertThatThrownBy(() -> store.create(m)).isInstanceOf(RuntimeException.class);
    }

    @Test
    void endMarksTheMeetingEnded() {
        Meeting m = meeting();
        store.create(m);
        assertThat(store.end(m.id())).map(Meeting::status).contains(MeetingStatus.ENDED);
        assertThat(store.find(m.id())).map(Meeting::status).contains(MeetingStatus.ENDED);
        assertThat(store.end(UUID.randomUUID())).isEmpty();
    }

    @Test
    void keepsTheRulesAndPasswordHashItWasCreatedWith() {
        Meeting m = meeting().withRules(new MeetingRules(true, true, false, "pbkdf2$1$c2FsdA$aGFzaA"));
        store.create(m);
        assertThat(store.find(m.id())).contains(m);
    }

    @Test
    void changesOnlyTheRulesNamedAndKeepsThePassword() {
        Meeting m = meeting().withRules(new MeetingRules(false, false, true, "pbkdf2$1$c2FsdA$aGFzaA"));
        store.create(m);
        assertThat(store.changeRules(m.id(), new MeetingRules.RulesChange(true, null, null)))
                .map(Meeting::rules).contains(new MeetingRules(true, false, true, "pbkdf2$1$c2FsdA$aGFzaA"));
        store.changeRules(m.id(), new MeetingRules.RulesChange(null, true, false));
        assertThat(store.find(m.id())).map(Meeting::rules)
                .contains(new MeetingRules(true, true, false, "pbkdf2$1$c2FsdA$aGFzaA"));
        assertThat(store.find(m.id())).map(Meeting::title).contains("Weekly");
        assertThat(store.changeRules(UUID.randomUUID(), new MeetingRules.RulesChange(true, true, true))).isEmpty();
    }

    @Test
    void concurrentChangesOfDifferentRulesAreBothKept() throws Exception {
        Meeting m = meeting();
        store.create(m);
        Concurrently.run(2, i -> store.changeRules(m.id(), i == 0
                ? new MeetingRules.RulesChange(true, null, null)
                : new MeetingRules.RulesChange(null, true, null)));
        assertThat(store.find(m.id())).map(Meeting::rules).contains(new MeetingRules(true, true, true, null));
    }

    @Test
    void handsTheMeetingToAnotherHost() {
        Meeting m = meeting();
        store.create(m);
        assertThat(store.setHost(m.id(), "US_next")).map(Meeting::hostId).contains("US_next");
        assertThat(store.find(m.id())).map(Meeting::hostId).contains("US_next");
        assertThat(store.setHost(UUID.randomUUID(), "US_next")).isEmpty();
    }

    @Test
    void remembersRemovedUsersPerMeeting() {
        Meeting m = meeting();
        Meeting other = meeting();
        store.create(m);
        store.create(other);
        assertThat(store.isRemoved(m.id(), "US_gone")).isFalse();
        assertThat(store.removeUser(m.id(), "US_gone")).isTrue();
        assertThat(store.removeUser(m.id(), "US_gone")).isFalse();
        assertThat(store.isRemoved(m.id(), "US_gone")).isTrue();
        assertThat(store.isRemoved(m.id(), "US_other")).isFalse();
        assertThat(store.isRemoved(other.id(), "US_gone")).isFalse();
    }
}
