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
}
