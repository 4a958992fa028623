package dev.convene.signaling.placement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.convene.sfu.SfuNode;
import dev.convene.signaling.testing.FakeSfuNode;
import dev.convene.signaling.testing.MutableClock;
import dev.convene.store.SfuNodeInfo;
import dev.convene.store.memory.InMemoryMeetingPlacement;
import dev.convene.store.memory.InMemorySfuRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class RegistrySfuDirectoryTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T10:00:00Z"));
    private final InMemorySfuRegistry registry = new InMemorySfuRegistry(Duration.ofSeconds(3));
    private final InMemoryMeetingPlacement placements = new InMemoryMeetingPlacement(clock, Duration.ofHours(2));
    private final List<String> connects = new ArrayList<>();
    private final RegistrySfuDirectory directory = new RegistrySfuDirectory(registry, placements, info -> {
        connects.add(info.nodeId());
        return new FakeSfuNode();
    }, clock);

    private void heartbeat(String id, String region, int participants, boolean draining) {
        registry.heartbeat(new SfuNodeInfo(id, "ws://127.0.0.1:1/" + id, "127.0.0.1:50000", region, participants, 0, 0.1,
                draining, clock.instant()));
    }

    @Test
    void aMeetingGoesToTheLeastLoadedNodeAndStaysThere() {
        heartbeat("sfu-a", "eu", 40, false);
        heartbeat("sfu-b", "eu", 10, false);
        UUID meeting = UUID.randomUUID();

        assertThat(directory.place(meeting, Optional.empty()).nodeId()).isEqualTo("sfu-b");
        heartbeat("sfu-b", "eu", 90, false);
        assertThat(directory.place(meeting, Optional.empty()).nodeId()).as("sticky while healthy").isEqualTo("sfu-b");
        assertThat(directory.place(UUID.randomUUID(), Optional.empty()).nodeId()).isEqualTo("sfu-a");
    }

    @Test
    void theRegionHintWinsWhenThatRegionHasAHealthyNode() {
        heartbeat("sfu-eu", "eu", 80, false);
        heartbeat("sfu-us", "us", 5, false);

        assertThat(directory.place(UUID.randomUUID(), Optional.of("eu")).region()).isEqualTo("eu");
        assertThat(directory.place(UUID.randomUUID(), Optional.of("ap")).nodeId()).isEqualTo("sfu-us");
    }

    @Test
    void aNodeFoundDeadHereTakesNoJoinUntilItHeartbeatsAgain() {
        heartbeat("sfu-a", "eu", 0, false);
        heartbeat("sfu-b", "eu", 50, false);
        UUID meeting = UUID.randomUUID();
        assertThat(directory.place(meeting, Optional.empty()).nodeId()).isEqualTo("sfu-a");

        clock.advance(Duration.ofMillis(100));
        directory.markDead("sfu-a");
        // The registry still lists sfu-a as healthy (its last heartbeat is 100 ms old): the mark wins.
        assertThat(directory.place(meeting, Optional.empty()).nodeId()).isEqualTo("sfu-b");
        assertThat(directory.place(UUID.randomUUID(), Optional.empty()).nodeId()).isEqualTo("sfu-b");
        assertThat(directory.moveFrom(meeting, "sfu-a")).as("already moved by the join").contains("sfu-b");

        clock.advance(Duration.ofMillis(100));
        heartbeat("sfu-a", "eu", 0, false);
        assertThat(directory.place(UUID.randomUUID(), Optional.empty()).nodeId()).as("back after a heartbeat")
                .isEqualTo("sfu-a");
    }

    @Test
    void aMeetingOnADeadNodeMovesAndDrainingNodesTakeNoNewMeetings() {
        heartbeat("sfu-a", "eu", 0, false);
        UUID meeting = UUID.randomUUID();
        assertThat(directory.place(meeting, Optional.empty()).nodeId()).isEqualTo("sfu-a");

        clock.advance(Duration.ofSeconds(5));
        heartbeat("sfu-b", "eu", 50, false);
        heartbeat("sfu-c", "eu", 0, true);
        assertThat(directory.place(meeting, Optional.empty()).nodeId()).isEqualTo("sfu-b");
        assertThat(placements.sfuFor(meeting)).contains("sfu-b");
    }

    @Test
    void aMeetingStaysOnANodeTheRegistryMissedWhileItsControlConnectionHereIsUp() {
        heartbeat("sfu-a", "eu", 0, false);
        UUID meeting = UUID.randomUUID();
        assertThat(directory.place(meeting, Optional.empty()).nodeId()).isEqualTo("sfu-a");
        directory.node("sfu-a");

        clock.advance(Duration.ofSeconds(5));
        heartbeat("sfu-b", "eu", 0, false);
        assertThat(directory.place(meeting, Optional.empty()).nodeId()).as("not split off a live node").isEqualTo("sfu-a");

        directory.markDead("sfu-a");
        assertThat(directory.place(meeting, Optional.empty()).nodeId()).as("found dead here").isEqualTo("sfu-b");
    }

    @Test
    void noHealthyNodeIsNoSfuAvailable() {
        assertThatThrownBy(() -> directory.place(UUID.randomUUID(), Optional.empty()))
                .isInstanceOf(NoSfuAvailableException.class);
        assertThatThrownBy(() -> directory.node("sfu-x")).isInstanceOf(NoSfuAvailableException.class);
    }

    @Test
    void eachNodeIsConnectedOnce() {
        heartbeat("sfu-a", "eu", 0, false);
        SfuNode first = directory.node("sfu-a");
        assertThat(directory.node("sfu-a")).isSameAs(first);
        assertThat(connects).containsExactly("sfu-a");
    }

    @Test
    void keepingAPlacementRenewsItOrWritesItBackAfterItWasLost() {
        heartbeat("sfu-a", "eu", 0, false);
        heartbeat("sfu-b", "eu", 10, false);
        UUID meeting = UUID.randomUUID();
        assertThat(directory.place(meeting, Optional.empty()).nodeId()).isEqualTo("sfu-a");

        placements.clear(meeting); // the shared store lost it (a Redis restart without persistence)
        heartbeat("sfu-a", "eu", 90, false);
        directory.keepPlacement(meeting, "sfu-a");

        assertThat(placements.sfuFor(meeting)).contains("sfu-a");
        assertThat(directory.place(meeting, Optional.empty()).nodeId()).as("not split onto the emptier node")
                .isEqualTo("sfu-a");
    }
}
