package dev.convene.sfu.lease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.convene.sfu.ParticipantListener;
import dev.convene.sfu.ParticipantSession;
import dev.convene.sfu.PublishResult;
import dev.convene.sfu.SessionGoneException;
import dev.convene.sfu.SfuNode;
import dev.convene.sfu.SubscribedTrack;
import dev.convene.sfu.TrackDeclaration;
import dev.convene.sfu.TrackInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Leases on a hand-driven timer over a node that only records what happens to its sessions. */
class LeasingSfuNodeTest {

    /** Tasks run when the test advances time. */
    private static final class ManualTimer implements LeasingSfuNode.Timer {
        record Task(long dueMillis, Runnable run, boolean[] cancelled) {}

        long now;
        final List<Task> tasks = new ArrayList<>();

        @Override
        public Runnable schedule(Runnable task, Duration delay) {
            boolean[] cancelled = {false};
            tasks.add(new Task(now + delay.toMillis(), task, cancelled));
            return () -> cancelled[0] = true;
        }

        void advance(Duration d) {
            now += d.toMillis();
            for (Task t : List.copyOf(tasks)) {
                if (t.dueMillis() <= now && !t.cancelled()[0]) {
                    tasks.remove(t);
                    t.run().run();
                }
            }
        }
    }

    private static final class RecordingNode implements SfuNode {
        final List<String> closed = new ArrayList<>();
        ParticipantListener lastListener;

        @Override
        public String nodeId() {
            return "sfu-test";
        }

        @Override
        public ParticipantSession join(String meetingId, String participantId, ParticipantListener listener) {
            lastListener = listener;
            return new ParticipantSession() {
                @Override public String participantId() { return participantId; }
                @Override public void declareTrack(TrackDeclaration declaration) { }
                @Override public PublishResult onPublisherOffer(String sdpOffer) { return new PublishResult("answer", List.of(), List.of()); }
                @Override public void onSubscriberAnswer(String sdpAnswer) { }
                @Override public void unpublish(String trackId) { }
                @Override public void setMuted(String trackId, boolean muted) { }
                @Override public void setSubscribeSettings(String trackId, dev.convene.sfu.SubscribeSettings settings) { }
                @Override public List<TrackInfo> publishedTracks() { return List.of(); }
                @Override public List<TrackInfo> roomTracks() { return List.of(); }
                @Override public void close() { closed.add(participantId); }
            };
        }
    }

    private static final class Events implements ParticipantListener {
        final List<String> seen = new ArrayList<>();

        @Override
        public void onSubscriberOffer(String sdpOffer, List<SubscribedTrack> tracks) {
            seen.add("offer:" + sdpOffer);
        }

        @Override
        public void onMediaFailed(String reason) {
            seen.add("failed:" + reason);
        }

        @Override
        public void onSessionMoved() {
            seen.add("moved");
        }
    }

    private final ManualTimer timer = new ManualTimer();
    private final RecordingNode inner = new RecordingNode();
    private final LeasingSfuNode node = new LeasingSfuNode(inner, timer);

    @Test
    void aDetachedSessionIsTakenOverWithinItsLeaseAndGetsTheUnansweredOffer() throws Exception {
        Events first = new Events();
        ParticipantSession held = node.join("m1", "PA_1", first);
        inner.lastListener.onSubscriberOffer("o1", List.of());
        held.detach(Duration.ofSeconds(30));
        inner.lastListener.onSubscriberOffer("o2", List.of());
        timer.advance(Duration.ofSeconds(29));
        assertThat(node.detachedCount()).isEqualTo(1);

        Events second = new Events();
        ParticipantSession resumed = node.attach(held.sessionId(), "PA_1", second);
        assertThat(second.seen).containsExactly("offer:o2");
        assertThat(first.seen).containsExactly("offer:o1");
        timer.advance(Duration.ofMinutes(5));
        assertThat(inner.closed).as("the lease was cancelled by the attach").isEmpty();

        resumed.onSubscriberAnswer("a2");
        Events third = new Events();
        node.attach(held.sessionId(), "PA_1", third);
        assertThat(third.seen).as("nothing unanswered to offer again").isEmpty();
        assertThat(second.seen).endsWith("moved");
    }

    @Test
    void aSupersededHandleCanNeitherCloseNorDetachTheSession() {
        ParticipantSession old = node.join("m1", "PA_1", new Events());
        ParticipantSession now = node.attach(old.sessionId(), "PA_1", new Events());
        old.close();
        old.detach(Duration.ofMillis(1));
        timer.advance(Duration.ofSeconds(1));
        assertThat(inner.closed).isEmpty();
        assertThat(node.detachedCount()).isZero();
        assertThatThrownBy(old::publishedTracks).isInstanceOf(SessionGoneException.class);
        now.close();
        assertThat(inner.closed).containsExactly("PA_1");
        assertThat(node.sessionCount()).isZero();
    }

    @Test
    void theLeaseEndsTheSessionAndLaterAttachesAreRefused() {
        ParticipantSession held = node.join("m1", "PA_1", new Events());
        held.detach(Duration.ofSeconds(30));
        timer.advance(Duration.ofSeconds(30));
        assertThat(inner.closed).containsExactly("PA_1");
        assertThatThrownBy(() -> node.attach(held.sessionId(), "PA_1", new Events()))
                .isInstanceOf(SessionGoneException.class);
    }

    @Test
    void fencingAMeetingEndsItsDetachedSessionsAtOnceAndLeavesHeldOnesAndOtherMeetings() {
        ParticipantSession stale = node.join("moved", "PA_1", new Events());
        stale.detach(Duration.ofSeconds(30));
        ParticipantSession held = node.join("moved", "PA_2", new Events());
        ParticipantSession elsewhere = node.join("stays", "PA_3", new Events());
        elsewhere.detach(Duration.ofSeconds(30));

        assertThat(node.endDetached("moved")).isEqualTo(1);

        assertThat(inner.closed).containsExactly("PA_1");
        assertThatThrownBy(() -> node.attach(stale.sessionId(), "PA_1", new Events()))
                .isInstanceOf(SessionGoneException.class);
        assertThat(node.sessionCount()).isEqualTo(2);
        assertThat(node.endDetached("moved")).as("nothing left to end").isZero();
        held.close();
        assertThat(node.attach(elsewhere.sessionId(), "PA_3", new Events())).isNotNull();
    }

    @Test
    void anAttachMustNameTheSessionsParticipant() {
        ParticipantSession held = node.join("m1", "PA_1", new Events());
        assertThatThrownBy(() -> node.attach(held.sessionId(), "PA_2", new Events()))
                .isInstanceOf(SessionGoneException.class);
        assertThatThrownBy(() -> node.attach("ss_unknown", "PA_1", new Events()))
                .isInstanceOf(SessionGoneException.class);
    }

    @Test
    void mediaFailureReachesOnlyTheHolderAndEndsTheSession() {
        Events first = new Events();
        ParticipantSession held = node.join("m1", "PA_1", first);
        held.detach(Duration.ofSeconds(30));
        inner.lastListener.onMediaFailed("ICE consent expired");
        assertThat(first.seen).isEmpty();
        assertThat(node.sessionCount()).isZero();
    }
}
