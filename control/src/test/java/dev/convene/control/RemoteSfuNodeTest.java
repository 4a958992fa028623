package dev.convene.control;

import static dev.convene.control.ControlTestSupport.KEY;
import static dev.convene.control.ControlTestSupport.NODE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.convene.control.FakeSfuNode.FakeSession;
import dev.convene.sfu.ParticipantSession;
import dev.convene.sfu.PublishResult;
import dev.convene.sfu.SdpRejectedException;
import dev.convene.sfu.SubscribedTrack;
import dev.convene.sfu.TrackDeclaration;
import dev.convene.sfu.TrackInfo;
import dev.convene.sfu.TrackKind;
import dev.convene.sfu.TrackSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link RemoteSfuNode} driving a {@link FakeSfuNode} through a real {@link SfuControlServer} on loopback. */
class RemoteSfuNodeTest {

    private final FakeSfuNode fake = new FakeSfuNode(NODE);
    private SfuControlServer server;
    private RemoteSfuNode remote;

    @BeforeEach
    void start() {
        server = SfuControlServer.start(fake, ControlTestSupport.serverConfig(Duration.ofSeconds(1)));
        remote = RemoteSfuNode.connect(RemoteSfuConfig.of(NODE, server.url("127.0.0.1"), "sig-1", KEY));
    }

    @AfterEach
    void stop() {
        fake.stall.countDown();
        remote.close();
        server.close();
    }

    @Test
    void joinAndPublisherOfferRoundTrip() throws Exception {
        RecordingListener listener = new RecordingListener();
        ParticipantSession session = remote.join("meeting-1", "alice", listener);

        PublishResult result = session.onPublisherOffer("v=0 offer of alice");

        assertThat(session.participantId()).isEqualTo("alice");
        assertThat(remote.nodeId()).isEqualTo(NODE);
        assertThat(remote.connected()).isTrue();
        FakeSession onSfu = fake.session("alice");
        assertThat(onSfu.meetingId).isEqualTo("meeting-1");
        assertThat(onSfu.offers).containsExactly("v=0 offer of alice");
        assertThat(result.sdpAnswer()).isEqualTo("answer-for:v=0 offer of alice");
        assertThat(result.added()).containsExactly(
                new TrackInfo("TR_alice_1", "alice", "0", TrackKind.AUDIO, TrackSource.MICROPHONE, false));
        assertThat(result.removed()).isEmpty();
    }

    @Test
    void anotherSignalingNodeAttachesBySessionIdAndTheHolderHearsItMoved() throws Exception {
        RecordingListener first = new RecordingListener();
        ParticipantSession held = remote.join("meeting-1", "alice", first);
        held.onPublisherOffer("v=0 offer of alice");
        try (RemoteSfuNode other = RemoteSfuNode.connect(RemoteSfuConfig.of(NODE, server.url("127.0.0.1"), "sig-2", KEY))) {
            RecordingListener second = new RecordingListener();
            ParticipantSession taken = other.attach(held.sessionId(), "alice", second);

            assertThat(taken.sessionId()).isEqualTo(held.sessionId());
            assertThat(taken.publishedTracks()).extracting(TrackInfo::trackId).containsExactly("TR_alice_1");
            await().atMost(Duration.ofSeconds(2)).until(() -> first.moved.get());
            assertThat(fake.session("alice").closed).isFalse();
            assertThat(fake.sessions).hasSize(1);
            // The old holder's handle is spent: closing it ends nothing on the SFU.
            held.close();
            fake.session("alice").pushOffer("v=0 sub", List.of());
            await().atMost(Duration.ofSeconds(2)).until(() -> second.offers.size() == 1);
            assertThat(first.offers).isEmpty();
            assertThat(fake.session("alice").closed).isFalse();
            assertThatThrownBy(() -> other.attach("no-such-session", "alice", new RecordingListener()))
                    .isInstanceOf(dev.convene.sfu.SessionGoneException.class);
            assertThatThrownBy(() -> remote.attach(held.sessionId(), "mallory", new RecordingListener()))
                    .isInstanceOf(dev.convene.sfu.SessionGoneException.class);
        }
    }

    @Test
    void aLostConnectionsSessionsWaitForTheOrphanLeaseThenClose() throws Exception {
        RecordingListener first = new RecordingListener();
        ParticipantSession held = remote.join("meeting-1", "alice", first);
        remote.close();
        assertThat(first.failures).containsExactly("control channel closed");
        // Within the lease a new connection can take it over; media never stopped meanwhile.
        try (RemoteSfuNode other = RemoteSfuNode.connect(RemoteSfuConfig.of(NODE, server.url("127.0.0.1"), "sig-2", KEY))) {
            ParticipantSession taken = other.attach(held.sessionId(), "alice", new RecordingListener());
            assertThat(fake.session("alice").closed).isFalse();
            taken.detach(Duration.ofMillis(200));
            await().atMost(Duration.ofSeconds(3)).until(() -> fake.session("alice").closed);
            assertThatThrownBy(() -> other.attach(held.sessionId(), "alice", new RecordingListener()))
                    .isInstanceOf(dev.convene.sfu.SessionGoneException.class);
        }
    }

    @Test
    void sdpRejectionCarriesTheSfuMessage() throws Exception {
        ParticipantSession session = remote.join("meeting-1", "alice", new RecordingListener());

        assertThatThrownBy(() -> session.onPublisherOffer("v=0\n" + FakeSfuNode.REJECT_MARKER))
                .isInstanceOf(SdpRejectedException.class)
                .hasMessage("no usable codec on m-line 0 (offered: G722)");
        assertThatThrownBy(() -> session.onSubscriberAnswer("v=0\n" + FakeSfuNode.REJECT_MARKER))
                .isInstanceOf(SdpRejectedException.class)
                .hasMessage("answer does not match the offer");
        // The session stays usable after a rejection.
        assertThat(session.onPublisherOffer("v=0 good").sdpAnswer()).isEqualTo("answer-for:v=0 good");
    }

    @Test
    void subscriberOffersReachTheRightParticipantAmongManyOnOneConnection() {
        int count = 40;
        List<RecordingListener> listeners = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            RecordingListener l = new RecordingListener();
            listeners.add(l);
            remote.join(i % 2 == 0 ? "meeting-a" : "meeting-b", "p" + i, l);
        }
        assertThat(server.openConnections()).isEqualTo(1);
        assertThat(server.openSessions()).isEqualTo(count);

        for (int i = count - 1; i >= 0; i--) {
            TrackInfo t = new TrackInfo("TR_" + i, "publisher-of-" + i, "1", TrackKind.VIDEO, TrackSource.SCREEN, true);
            fake.session("p" + i).pushOffer("offer-for-p" + i, List.of(new SubscribedTrack(Integer.toString(i), t)));
        }

        await().atMost(Duration.ofSeconds(5)).until(() -> listeners.stream().allMatch(l -> !l.offers.isEmpty()));
        for (int i = 0; i < count; i++) {
            RecordingListener l = listeners.get(i);
            String n = Integer.toString(i);
            assertThat(l.offers).as("participant p%d", i).singleElement().satisfies(o -> {
                assertThat(o.sdp()).isEqualTo("offer-for-p" + n);
                assertThat(o.tracks()).singleElement().satisfies(s -> {
                    assertThat(s.mid()).isEqualTo(n);
                    assertThat(s.track().kind()).isEqualTo(TrackKind.VIDEO);
                    assertThat(s.track().source()).isEqualTo(TrackSource.SCREEN);
                    assertThat(s.track().muted()).isTrue();
                });
            });
            assertThat(l.failures).isEmpty();
        }
    }

    @Test
    void mediaFailureOnTheSfuReachesOnlyThatParticipant() {
        RecordingListener alice = new RecordingListener();
        RecordingListener bob = new RecordingListener();
        remote.join("m", "alice", alice);
        ParticipantSession bobSession = remote.join("m", "bob", bob);

        fake.session("alice").failMedia("ICE consent lost");

        await().atMost(Duration.ofSeconds(5)).until(() -> !alice.failures.isEmpty());
        assertThat(alice.failures).containsExactly("ICE consent lost");
        assertThat(bob.failures).isEmpty();
        assertThat(bobSession.publishedTracks()).isEmpty();
        await().atMost(Duration.ofSeconds(5)).until(() -> server.openSessions() == 1);
    }

    @Test
    void everySessionCallReachesTheSfu() throws Exception {
        ParticipantSession session = remote.join("meeting-1", "alice", new RecordingListener());
        FakeSession onSfu = fake.session("alice");

        session.declareTrack(new TrackDeclaration("2", TrackKind.VIDEO, TrackSource.SCREEN));
        session.declareTrack(new TrackDeclaration("3", TrackKind.AUDIO, TrackSource.SCREEN_AUDIO));
        session.onPublisherOffer("v=0 offer");
        session.onSubscriberAnswer("v=0 answer");
        session.setMuted("TR_alice_1", true);
        List<TrackInfo> published = session.publishedTracks();
        session.unpublish("TR_alice_1");
        session.close();
        session.close();

        assertThat(onSfu.declared).containsExactly(
                new TrackDeclaration("2", TrackKind.VIDEO, TrackSource.SCREEN),
                new TrackDeclaration("3", TrackKind.AUDIO, TrackSource.SCREEN_AUDIO));
        assertThat(onSfu.answers).containsExactly("v=0 answer");
        assertThat(onSfu.muted).containsEntry("TR_alice_1", true);
        assertThat(published).extracting(TrackInfo::trackId).containsExactly("TR_alice_1");
        assertThat(onSfu.unpublished).containsExactly("TR_alice_1");
        assertThat(onSfu.closed).isTrue();
        assertThat(onSfu.closeCalls).as("close is sent once").isEqualTo(1);
        assertThat(server.openSessions()).isZero();
    }

    @Test
    void callsOnAClosedSessionAreRefusedBySfu() {
        ParticipantSession session = remote.join("meeting-1", "alice", new RecordingListener());
        session.close();

        assertThatThrownBy(session::publishedTracks)
                .isInstanceOfSatisfying(SfuControlException.class, e -> assertThat(e.code()).isEqualTo("unknown_session"));
    }

    @Test
    void serverClosedFailsEverySessionAndPendingCallsFast() throws Exception {
        List<RecordingListener> listeners = new ArrayList<>();
        List<ParticipantSession> sessions = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            RecordingListener l = new RecordingListener();
            listeners.add(l);
            sessions.add(remote.join("m", "p" + i, l));
        }
        CompletableFuture<Throwable> pending = CompletableFuture.supplyAsync(() -> {
            try {
                sessions.getFirst().onPublisherOffer("v=0\n" + FakeSfuNode.STALL_MARKER);
                return null;
            } catch (Throwable t) {
                return t;
            }
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> !fake.session("p0").offers.isEmpty());

        long started = System.nanoTime();
        server.close();
        Throwable failure = pending.get(2, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(2)).until(() -> listeners.stream().allMatch(l -> !l.failures.isEmpty()));
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

        assertThat(failure).isInstanceOfSatisfying(SfuControlException.class,
                e -> assertThat(e.code()).isEqualTo(SfuControlException.CONNECTION_LOST));
        assertThat(elapsedMillis).isLessThan(2_000);
        assertThat(listeners).allSatisfy(l -> assertThat(l.failures).containsExactly("control connection lost"));
        assertThatThrownBy(() -> sessions.get(1).publishedTracks()).isInstanceOf(SfuControlException.class);
        assertThatThrownBy(() -> remote.join("m", "late", new RecordingListener()))
                .isInstanceOfSatisfying(SfuControlException.class,
                        e -> assertThat(e.code()).isEqualTo(SfuControlException.UNAVAILABLE));
        // The SFU side closed what the connection had opened (the stalled one once its call returns).
        fake.stall.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> fake.openSessions() == 0);
    }

    @Test
    void joinsWorkAgainAfterTheSfuRestarts() {
        remote.join("m", "before", new RecordingListener());
        int port = server.port();
        server.close();
        await().atMost(Duration.ofSeconds(2)).until(() -> !remote.connected());

        server = SfuControlServer.start(fake, new SfuControlConfig("127.0.0.1", port, List.of(KEY),
                Duration.ofSeconds(1), SfuControlConfig.DEFAULT_CLOCK_SKEW, ControlTestSupport.ORPHAN_LEASE));

        ParticipantSession again = await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
                .until(() -> remote.join("m", "after", new RecordingListener()), s -> s != null);
        assertThat(again.publishedTracks()).isEmpty();
        assertThat(fake.session("after").closed).isFalse();
        assertThat(server.openConnections()).isEqualTo(1);
    }

    @Test
    void sfuClosesTheSessionsOfAConnectionThatDrops() {
        RecordingListener alice = new RecordingListener();
        remote.join("m", "alice", alice);
        remote.join("m", "bob", new RecordingListener());
        assertThat(fake.openSessions()).isEqualTo(2);

        remote.close();

        await().atMost(Duration.ofSeconds(3)).until(() -> fake.openSessions() == 0);
        assertThat(server.openConnections()).isZero();
        assertThat(alice.failures).containsExactly("control channel closed");
    }

    @Test
    void frozenSfuIsNoticedWithinTheHeartbeatTimeoutAndFrozenCallerLosesItsSessions() throws Exception {
        try (FreezableProxy proxy = new FreezableProxy(server.port());
                RemoteSfuNode viaProxy = RemoteSfuNode.connect(RemoteSfuConfig.of(NODE,
                        java.net.URI.create("ws://127.0.0.1:" + proxy.port() + SfuControlServer.PATH), "sig-2", KEY))) {
            List<RecordingListener> listeners = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                RecordingListener l = new RecordingListener();
                listeners.add(l);
                viaProxy.join("m", "frozen-" + i, l);
            }

            long frozenAt = System.nanoTime();
            proxy.freeze();
            await().atMost(Duration.ofSeconds(3)).until(() -> listeners.stream().allMatch(l -> !l.failures.isEmpty()));
            long noticedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - frozenAt);

            // Heartbeat timeout 1.5 s, checked every 0.5 s.
            assertThat(noticedMillis).isBetween(1_000L, 2_300L);
            assertThat(listeners).allSatisfy(l -> assertThat(l.failures).containsExactly("control connection lost"));
            // The SFU's own watchdog (1 s here) closes the frozen caller's sessions.
            await().atMost(Duration.ofSeconds(3)).until(() ->
                    fake.sessions.stream().filter(s -> s.participantId.startsWith("frozen-")).allMatch(s -> s.closed));
        }
    }
}
