package dev.convene.store.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.convene.store.ChatMessage;
import dev.convene.store.EventBus;
import dev.convene.store.EventBusContract;
import dev.convene.store.MediaKind;
import dev.convene.store.MediaSource;
import dev.convene.store.MeetingEvent;
import dev.convene.store.MeetingEvent.ChatPosted;
import dev.convene.store.MeetingEvent.ParticipantJoined;
import dev.convene.store.MeetingEvent.ParticipantLeft;
import dev.convene.store.MeetingEvent.TrackMuted;
import dev.convene.store.MeetingEvent.TrackPublished;
import dev.convene.store.MeetingEvent.TrackUnpublished;
import dev.convene.store.TrackSummary;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RedisEventBusTest extends EventBusContract {

    @RegisterExtension
    static final EmbeddedRedis redis = new EmbeddedRedis();

    @Override
    protected EventBus newBus() {
        return redis.stores().events();
    }

    @Test
    void everyKindOfEventCrossesFromOneNodeToAnother() {
        RedisStores publisherNode = redis.newStores();
        RedisStores subscriberNode = redis.newStores();
        UUID meeting = UUID.randomUUID();
        List<MeetingEvent> heard = new CopyOnWriteArrayList<>();
        subscriberNode.events().subscribe(meeting, (id, e) -> {
            assertThat(id).isEqualTo(meeting);
            heard.add(e);
        });

        List<MeetingEvent> sent = List.of(
                new ParticipantJoined("PA_1", "Ada \"the\" Lovelace ✓"),
                new TrackPublished("PA_1", new TrackSummary("TR_1", MediaKind.VIDEO, MediaSource.SCREEN, false)),
                new TrackMuted("PA_1", "TR_1", true),
                new TrackUnpublished("PA_1", "TR_1"),
                new ChatPosted(new ChatMessage("CM_1", meeting, "PA_1", "Ada", "hello\nworld", Instant.parse("2026-11-24T10:15:30.123456Z"))),
                new ParticipantLeft("PA_1"),
                new MeetingEvent.ParticipantWaiting("PA_2", "Bob"),
                new MeetingEvent.WaitingEnded("PA_2", MeetingEvent.WaitingEnded.ADMITTED),
                new MeetingEvent.MutedByHost("PA_2", MediaKind.AUDIO),
                new MeetingEvent.ParticipantRemoved("PA_2", "US_2"),
                new MeetingEvent.RulesChanged(),
                new MeetingEvent.MeetingEnded());
        sent.forEach(e -> publisherNode.events().publish(meeting, e));

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(heard).containsExactlyElementsOf(sent));
    }

    @Test
    void oneChannelSubscriptionPerMeetingPerProcess() {
        RedisStores node = redis.newStores();
        RedisStores other = redis.newStores();
        UUID meeting = UUID.randomUUID();
        String channel = RedisKeys.meetingEvents(meeting);
        List<MeetingEvent> first = new CopyOnWriteArrayList<>();
        List<MeetingEvent> second = new CopyOnWriteArrayList<>();
        EventBus.Subscription a = node.events().subscribe(meeting, (id, e) -> first.add(e));
        EventBus.Subscription b = node.events().subscribe(meeting, (id, e) -> second.add(e));
        assertThat(subscribers(channel)).isEqualTo(1);

        a.close();
        assertThat(subscribers(channel)).isEqualTo(1);
        other.events().publish(meeting, new ParticipantLeft("PA_1"));
        await().atMost(Duration.ofSeconds(5)).until(() -> second.size() == 1);
        assertThat(first).isEmpty();

        b.close();
        b.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> subscribers(channel) == 0);
        assertThat(node.events().subscribedMeetings()).isZero();

        EventBus.Subscription c = node.events().subscribe(meeting, (id, e) -> first.add(e));
        assertThat(subscribers(channel)).isEqualTo(1);
        other.events().publish(meeting, new ParticipantLeft("PA_2"));
        await().atMost(Duration.ofSeconds(5)).until(() -> first.size() == 1);
        c.close();
    }

    @Test
    void aSlowListenerDoesNotStallRedisIo() {
        RedisStores node = redis.newStores();
        UUID slowMeeting = UUID.randomUUID();
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        node.events().subscribe(slowMeeting, (id, e) -> {
            try {
                release.await();
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        });
        node.events().publish(slowMeeting, new ParticipantLeft("PA_1"));
        // The delivery thread is blocked, yet commands on the same client still answer.
        assertThat(node.seats().reserve(UUID.randomUUID(), "PA_1", 1)).isTrue();
        assertThat(node.available()).isTrue();
        release.countDown();
    }

    private static long subscribers(String channel) {
        Map<String, Long> counts = redis.admin().pubsubNumsub(channel);
        return counts.getOrDefault(channel, 0L);
    }
}
