package dev.convene.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.convene.store.MeetingEvent.ParticipantJoined;
import dev.convene.store.MeetingEvent.ParticipantLeft;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link EventBus} must do; each implementation's test extends this. Assertions wait
 * (bounded) so that asynchronous implementations pass too.
 */
public abstract class EventBusContract {

    protected abstract EventBus newBus();

    private EventBus bus;
    private final UUID meeting = UUID.randomUUID();

    @BeforeEach
    void setUp() {
        bus = newBus();
    }

    @Test
    void deliversToSubscribersOfTheMeetingInOrder() {
        List<MeetingEvent> a = new CopyOnWriteArrayList<>();
        List<MeetingEvent> b = new CopyOnWriteArrayList<>();
        List<MeetingEvent> elsewhere = new CopyOnWriteArrayList<>();
        bus.subscribe(meeting, (id, e) -> a.add(e));
        bus.subscribe(meeting, (id, e) -> b.add(e));
        bus.subscribe(UUID.randomUUID(), (id, e) -> elsewhere.add(e));

        bus.publish(meeting, new ParticipantJoined("PA_1", "Ada"));
        bus.publish(meeting, new ParticipantLeft("PA_1"));

        List<MeetingEvent> expected = List.of(new ParticipantJoined("PA_1", "Ada"), new ParticipantLeft("PA_1"));
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(a).containsExactlyElementsOf(expected);
            assertThat(b).containsExactlyElementsOf(expected);
        });
        assertThat(elsewhere).isEmpty();
    }

    @Test
    void aClosedSubscriptionHearsNothingMore() {
        List<MeetingEvent> heard = new CopyOnWriteArrayList<>();
        List<MeetingEvent> witness = new CopyOnWriteArrayList<>();
        EventBus.Subscription sub = bus.subscribe(meeting, (id, e) -> heard.add(e));
        bus.subscribe(meeting, (id, e) -> witness.add(e));
        bus.publish(meeting, new ParticipantJoined("PA_1", "Ada"));
        await().atMost(Duration.ofSeconds(5)).until(() -> heard.size() == 1);

        sub.close();
        sub.close();
        bus.publish(meeting, new ParticipantLeft("PA_1"));
        await().atMost(Duration.ofSeconds(5)).until(() -> witness.size() == 2);
        assertThat(heard).hasSize(1);
    }

    @Test
    void aFailingListenerDoesNotStopTheOthers() {
        List<MeetingEvent> heard = new CopyOnWriteArrayList<>();
        bus.subscribe(meeting, (id, e) -> {
            throw new IllegalStateException("bad listener");
        });
        bus.subscribe(meeting, (id, e) -> heard.add(e));
        bus.publish(meeting, new ParticipantLeft("PA_1"));
        await().atMost(Duration.ofSeconds(5)).until(() -> heard.size() == 1);
    }
}
