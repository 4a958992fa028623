package dev.convene.signaling.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.convene.sfu.SfuNode;
import dev.convene.signaling.placement.SfuDirectory;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * ADR 0030 §5: a participant whose session is on another node than its meeting's placement follows
 * the placement — whoever moved the meeting, and whether or not this node saw its old SFU fail.
 */
class SfuFailoverFollowTest {

    private static final UUID MOVED = UUID.randomUUID();
    private static final UUID UNPLACED = UUID.randomUUID();
    private static final UUID TO_DEAD = UUID.randomUUID();

    private final Directory directory = new Directory();

    @Test
    void aParticipantLeftOnAnotherNodeThanItsMeetingIsMovedToThePlacedNode() {
        directory.placements.put(MOVED, "sfu-b");
        directory.reachable.addAll(Set.of("sfu-a", "sfu-b"));
        Participant behindLive = new Participant(MOVED, "sfu-a", true);
        Participant behindDead = new Participant(MOVED, "sfu-dead", true);
        Participant alreadyThere = new Participant(MOVED, "sfu-b", true);
        Participant notJoined = new Participant(MOVED, "sfu-a", false);

        int started = SfuFailover.follow(directory, List.of(behindLive, behindDead, alreadyThere, notJoined));

        assertThat(started).isEqualTo(2);
        await().atMost(Duration.ofSeconds(5)).until(() -> behindLive.moves.size() == 1 && behindDead.moves.size() == 1);
        assertThat(behindLive.moves).containsExactly("sfu-a->sfu-b live");
        assertThat(behindDead.moves).as("a node without a control connection is not asked to close the old session")
                .containsExactly("sfu-dead->sfu-b dead");
        assertThat(alreadyThere.moves).isEmpty();
        assertThat(notJoined.moves).isEmpty();
        assertThat(directory.placementReads).as("one placement read per meeting per look").isEqualTo(1);
    }

    @Test
    void aMissingPlacementOrAnUnreachableTargetMovesNobody() {
        directory.reachable.add("sfu-a");
        directory.placements.put(TO_DEAD, "sfu-gone");
        Participant unplaced = new Participant(UNPLACED, "sfu-a", true);
        Participant towardsDead = new Participant(TO_DEAD, "sfu-a", true);

        assertThat(SfuFailover.follow(directory, List.of(unplaced, towardsDead))).isZero();
        assertThat(unplaced.moves).as("Redis restarted empty: the leases refill the key, nobody moves").isEmpty();
        assertThat(towardsDead.moves).as("a placement on a node this node cannot reach waits").isEmpty();
    }

    private static final class Participant implements SfuFailover.Movable {
        final UUID meeting;
        volatile String node;
        final boolean joined;
        final List<String> moves = new CopyOnWriteArrayList<>();

        Participant(UUID meeting, String node, boolean joined) {
            this.meeting = meeting;
            this.node = node;
            this.joined = joined;
        }

        @Override
        public boolean isJoined() {
            return joined;
        }

        @Override
        public UUID meetingId() {
            return meeting;
        }

        @Override
        public String sfuNodeId() {
            return node;
        }

        @Override
        public boolean migrate(String oldNode, String newNode, boolean oldNodeLive) {
            moves.add(oldNode + "->" + newNode + (oldNodeLive ? " live" : " dead"));
            node = newNode;
            return true;
        }

        @Override
        public void resumeOnSameSfu() {}
    }

    private static final class Directory implements SfuDirectory {
        final Map<UUID, String> placements = new HashMap<>();
        final Set<String> reachable = new HashSet<>();
        int placementReads;

        @Override
        public Placement place(UUID meetingId, Optional<String> regionHint) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void keepPlacement(UUID meetingId, String nodeId) {}

        @Override
        public SfuNode node(String nodeId) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean reachable(String nodeId) {
            return reachable.contains(nodeId);
        }

        @Override
        public Optional<String> placedOn(UUID meetingId) {
            placementReads++;
            return Optional.ofNullable(placements.get(meetingId));
        }
    }
}
