package dev.convene.signaling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.convene.sfu.SfuNode;
import dev.convene.signaling.placement.SfuDirectory;
import dev.convene.signaling.testing.FakeSfuNode;
import dev.convene.signaling.testing.TestServer;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A draining SFU's meeting moves make-before-break (ADR 0020): each socket gets {@code migrate}
 * and a session on the other node, the old session is closed, and whatever the old session's node
 * still says about it (its ICE consent lapsing as the client drops the old peer connections, its
 * control connection going as the node exits) ends nobody.
 */
class DrainEvacuationTest {

    /** Two fake SFU nodes; {@code sfu-a} drains on demand; moves are counted. */
    private static final class TwoNodes implements SfuDirectory {
        final FakeSfuNode a = new FakeSfuNode();
        final FakeSfuNode b = new FakeSfuNode();
        volatile boolean aDraining;
        final Map<UUID, String> placed = new ConcurrentHashMap<>();
        final AtomicInteger moves = new AtomicInteger();
        /** Joins on {@code sfu-b} that fail (as a join the new node does not answer in time) before one succeeds. */
        final AtomicInteger bJoinsToFail = new AtomicInteger();
        final SfuNode flakyB = new SfuNode() {
            @Override
            public String nodeId() {
                return b.nodeId();
            }

            @Override
            public dev.convene.sfu.ParticipantSession join(String meetingId, String participantId,
                    dev.convene.sfu.ParticipantListener listener) {
                if (bJoinsToFail.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                    throw new dev.convene.sfu.SfuUnavailableException("SFU sfu-b did not answer join within 5000 ms");
                }
                return b.join(meetingId, participantId, listener);
            }
        };

        @Override
        public Placement place(UUID meetingId, Optional<String> regionHint) {
            return new Placement(placed.computeIfAbsent(meetingId, m -> "sfu-a"), "local");
        }

        @Override
        public void keepPlacement(UUID meetingId, String nodeId) {
        }

        @Override
        public boolean isDraining(String nodeId) {
            return aDraining && nodeId.equals("sfu-a");
        }

        @Override
        public SfuNode node(String nodeId) {
            return nodeId.equals("sfu-a") ? a : flakyB;
        }

        @Override
        public Optional<String> moveFrom(UUID meetingId, String from) {
            moves.incrementAndGet();
            placed.replace(meetingId, from, "sfu-b");
            return Optional.of(placed.get(meetingId));
        }
    }

    @Test
    void aDrainingNodesMeetingMovesAndTheOldSessionsLastWordsEndNobody() {
        TwoNodes nodes = new TwoNodes();
        try (TestServer server = new TestServer(c -> c.withResumeGrace(Duration.ofSeconds(30)), Clock.systemUTC(),
                SignalingStores.inMemory(Clock.systemUTC()), nodes)) {
            server.server.evacuateWith(server.server.migratingEvacuation());
            String meeting = server.createMeeting(server.guestToken("Host"), 10);
            TestServer.Peer ada = server.enter("Ada", meeting);
            TestServer.Peer bob = server.enter("Bob", meeting);
            assertThat(nodes.a.joins()).isEqualTo(2);

            nodes.aDraining = true;
            // The node's timer checks for draining nodes about every second.
            await().atMost(Duration.ofSeconds(5)).until(() -> ada.ws().hasType("migrate") && bob.ws().hasType("migrate"));
            assertThat(ada.ws().awaitType("migrate").path("resume_token").asText()).isNotBlank();
            await().atMost(Duration.ofSeconds(2)).until(() -> nodes.a.session(ada.participantId()).closed
                    && nodes.a.session(bob.participantId()).closed);
            assertThat(nodes.b.joins()).isEqualTo(2);
            assertThat(nodes.placed.get(UUID.fromString(meeting))).isEqualTo("sfu-b");

            // The old node's callbacks, as its sessions end and it exits: nobody is ended by them.
            nodes.a.listener(ada.participantId()).onMediaFailed("ICE consent lost");
            nodes.a.listener(bob.participantId()).onDetached("control connection lost");
            nodes.a.listener(bob.participantId()).onSessionMoved();
            ada.ws().assertAlive("alive-1");
            bob.ws().assertAlive("alive-2");
            assertThat(ada.ws().isClosed()).isFalse();
            assertThat(bob.ws().isClosed()).isFalse();
            assertThat(ada.ws().hasType("participant-left") || bob.ws().hasType("participant-left")).isFalse();
            // An old node's subscriber offer is not the client's business any more; the new node's is.
            nodes.a.session(ada.participantId()).offerToSubscriber("v=0 old", List.of());
            nodes.b.session(ada.participantId()).offerToSubscriber("v=0 new", List.of());
            assertThat(ada.ws().awaitType("offer").path("sdp").asText()).isEqualTo("v=0 new");

            // The new session still speaks for the participant: its failure ends it as before.
            nodes.b.listener(bob.participantId()).onMediaFailed("ICE consent lost");
            assertThat(bob.ws().awaitClose()).isEqualTo(1011);
            ada.ws().awaitType("participant-left");
            assertThat(nodes.moves.get()).as("one move for the meeting").isEqualTo(1);
        }
    }

    /**
     * The race SfuDrainMigrationTest lost clients to (ADR 0028): the client answers the old node's
     * offer, the answer reaches signaling after {@code migrate}, while the new node's offer is
     * outstanding. Named by its offer id, it answers nothing and never reaches the new session; the
     * answer to the new offer does. An answer without an id (first protocol revision) goes through.
     */
    @Test
    void anAnswerToTheReplacedSessionsOfferNeverReachesTheNewSession() {
        TwoNodes nodes = new TwoNodes();
        try (TestServer server = new TestServer(c -> c.withResumeGrace(Duration.ofSeconds(30)), Clock.systemUTC(),
                SignalingStores.inMemory(Clock.systemUTC()), nodes)) {
            server.server.evacuateWith(server.server.migratingEvacuation());
            String meeting = server.createMeeting(server.guestToken("Host"), 10);
            TestServer.Peer ada = server.enter("Ada", meeting);
            nodes.a.session(ada.participantId()).offerToSubscriber("v=0 old", List.of());
            JsonNode oldOffer = ada.ws().awaitType("offer");
            String oldId = oldOffer.path("offer_id").asText();
            assertThat(oldId).startsWith("OF_");

            nodes.aDraining = true;
            await().atMost(Duration.ofSeconds(5)).until(() -> ada.ws().hasType("migrate"));
            ada.ws().awaitType("migrate");
            nodes.b.session(ada.participantId()).offerToSubscriber("v=0 new", List.of());
            JsonNode newOffer = ada.ws().awaitType("offer");
            String newId = newOffer.path("offer_id").asText();
            assertThat(newId).isNotEqualTo(oldId);

            // The late answer to the old node's offer: dropped, said so, the participant untouched.
            ada.ws().send(answer("late", oldId, "v=0 old-transport"));
            JsonNode stale = ada.ws().awaitError("stale_answer");
            assertThat(stale.path("request_id").asText()).isEqualTo("late");
            assertThat(nodes.b.session(ada.participantId()).subscriberAnswers).isEmpty();
            assertThat(nodes.a.session(ada.participantId()).subscriberAnswers).isEmpty();

            ada.ws().send(answer("real", newId, "v=0 new-transport"));
            assertThat(ada.ws().awaitType("ack").path("request_id").asText()).isEqualTo("real");
            assertThat(nodes.b.session(ada.participantId()).subscriberAnswers).containsExactly("v=0 new-transport");
            // Answered once: the same id again answers nothing.
            ada.ws().send(answer("again", newId, "v=0 new-transport"));
            assertThat(ada.ws().awaitError("stale_answer").path("request_id").asText()).isEqualTo("again");

            // A first-revision client names no offer: its answer goes to the session as it always did.
            nodes.b.session(ada.participantId()).offerToSubscriber("v=0 next", List.of());
            ada.ws().awaitType("offer");
            ada.ws().send(answer("v1", null, "v=0 v1-answer"));
            assertThat(ada.ws().awaitType("ack").path("request_id").asText()).isEqualTo("v1");
            assertThat(nodes.b.session(ada.participantId()).subscriberAnswers)
                    .containsExactly("v=0 new-transport", "v=0 v1-answer");
            ada.ws().assertAlive("alive");
            assertThat(ada.ws().isClosed()).isFalse();
        }
    }

    /**
     * RollingRestartTest lost clients this way: a migrate's join on the new node failed, the socket
     * was closed for a resume, and the client resumed onto the draining node's session just as the
     * drain ended it. Now a failed migrate off a live draining node leaves the participant where it
     * is, socket open, and the evacuation's next round moves it.
     */
    @Test
    void aFailedMigrateOffALiveDrainingNodeKeepsTheParticipantAndIsTriedAgain() {
        TwoNodes nodes = new TwoNodes();
        nodes.bJoinsToFail.set(1);
        try (TestServer server = new TestServer(c -> c.withResumeGrace(Duration.ofSeconds(30)), Clock.systemUTC(),
                SignalingStores.inMemory(Clock.systemUTC()), nodes)) {
            server.server.evacuateWith(server.server.migratingEvacuation());
            String meeting = server.createMeeting(server.guestToken("Host"), 10);
            TestServer.Peer ada = server.enter("Ada", meeting);
            TestServer.Peer bob = server.enter("Bob", meeting);

            nodes.aDraining = true;
            // The first round's join on sfu-b fails for one of them; a later round moves it.
            await().atMost(Duration.ofSeconds(10)).until(() -> ada.ws().hasType("migrate") && bob.ws().hasType("migrate"));
            assertThat(nodes.moves.get()).as("evacuation rounds").isGreaterThanOrEqualTo(2);
            assertThat(nodes.b.joins()).isEqualTo(2);
            assertThat(ada.ws().isClosed()).isFalse();
            assertThat(bob.ws().isClosed()).isFalse();
            ada.ws().assertAlive("alive-1");
            bob.ws().assertAlive("alive-2");
            assertThat(ada.ws().hasType("participant-left") || bob.ws().hasType("participant-left")).isFalse();
        }
    }

    /**
     * RollingRestartTest lost 4 of 20 this way: the participant's session on the SFU ended while
     * its socket was away (a subscriber transport failed DTLS while detached), and the resume was
     * refused as resume_expired, which ended the participant. Now the resume succeeds with a fresh
     * session on the meeting's node, {@code migrate} right after {@code resumed}, and nobody leaves.
     */
    @Test
    void aResumeWhoseMediaSessionEndedGetsAFreshSessionAndMigrateAndNobodyLeaves() {
        TwoNodes nodes = new TwoNodes();
        try (TestServer server = new TestServer(c -> c.withResumeGrace(Duration.ofSeconds(30)), Clock.systemUTC(),
                SignalingStores.inMemory(Clock.systemUTC()), nodes)) {
            String meeting = server.createMeeting(server.guestToken("Host"), 10);
            TestServer.Peer ada = server.enter("Ada", meeting);
            String token = server.lastJoined.path("resume_token").asText();
            TestServer.Peer bob = server.enter("Bob", meeting);
            assertThat(nodes.a.joins()).isEqualTo(2);

            ada.ws().close();
            // FakeSfuNode keeps nothing to attach to: the session has ended on the SFU.
            var again = server.open(null);
            again.send("{\"v\":1,\"type\":\"resume\",\"token\":\"" + token + "\",\"request_id\":\"r1\"}");
            JsonNode resumed = again.awaitType("resumed");
            assertThat(resumed.path("participant_id").asText()).isEqualTo(ada.participantId());
            assertThat(resumed.path("tracks")).isEmpty();
            JsonNode migrate = again.awaitType("migrate");
            assertThat(migrate.path("resume_token").asText()).isNotBlank();
            assertThat(nodes.a.joins()).as("a fresh session on the meeting's node").isEqualTo(3);
            // The new session's offer comes after migrate, so the client answers it with its new peer connection.
            nodes.a.session(ada.participantId()).offerToSubscriber("v=0 fresh", List.of());
            assertThat(again.awaitType("offer").path("sdp").asText()).isEqualTo("v=0 fresh");
            again.assertAlive("alive");
            await().pollDelay(Duration.ofMillis(300)).atMost(Duration.ofSeconds(1)).until(() -> true);
            assertThat(bob.ws().hasType("participant-left")).isFalse();
        }
    }

    private static Map<String, Object> answer(String requestId, String offerId, String sdp) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("v", 1);
        m.put("type", "answer");
        m.put("pc", "subscriber");
        m.put("sdp", sdp);
        m.put("request_id", requestId);
        if (offerId != null) {
            m.put("offer_id", offerId);
        }
        return m;
    }
}
