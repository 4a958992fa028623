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
    private final List<String> addresses = new ArrayList<>();
    private final RegistrySfuDirectory directory = new RegistrySfuDirectory(registry, placements, info -> {
        connects.add(info.nodeId());
        addresses.add(info.controlAddress());
        return new FakeSfuNode();
    }, clock);

    private void heartbeat(String id, String region, int participants, boolean draining) {
        registry.heartbeat(new SfuNodeInfo(id, "ws://127.0.0.1:1/" + id, "127.0.0.1:50000", region, participants, 0, 0.1,
                draining, clock.instant()));
    }

    private void hosting(InMemorySfuRegistry r, String id, int participants, UUID... meetings) {
        r.heartbeat(new SfuNodeInfo(id, "ws://127.0.0.1:1/" + id, "127.0.0.1:50000", "eu", participants, 0, 0.1, false,
                clock.instant()).withMeetings(java.util.Arrays.stream(meetings).map(UUID::toString).toList()));
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
    void aJoinWhoseTokenNamesTheDeadNodeFollowsTheMeetingToItsNewNode() {
        heartbeat("sfu-a", "eu", 0, false);
        heartbeat("sfu-b", "eu", 50, false);
        UUID meeting = UUID.randomUUID();
        assertThat(directory.place(meeting, Optional.empty()).nodeId()).isEqualTo("sfu-a");
        assertThat(directory.nodeForJoin(meeting, "sfu-a")).as("nothing happened: the token's node").isEqualTo("sfu-a");

        // sfu-a found dead here, the meeting not moved yet: the join moves it (the failover follows).
        clock.advance(Duration.ofMillis(100));
        directory.markDead("sfu-a");
        assertThat(directory.nodeForJoin(meeting, "sfu-a")).isEqualTo("sfu-b");
        assertThat(placements.sfuFor(meeting)).contains("sfu-b");
        assertThat(directory.moveFrom(meeting, "sfu-a")).as("the failover follows the join's move").contains("sfu-b");

        // Moved by another signaling node (this one never saw sfu-a die): follow the placement.
        UUID other = UUID.randomUUID();
        placements.assignIfAbsent(other, "sfu-c");
        assertThat(directory.nodeForJoin(other, "sfu-a")).isEqualTo("sfu-c");
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

    @Test
    void aMeetingWhosePlacementWasLostGoesToTheNodeThatReportsHostingItNotTheEmptierOne() {
        UUID meeting = UUID.randomUUID();
        hosting(registry, "sfu-a", 90, meeting);
        hosting(registry, "sfu-b", 0);
        clock.advance(Duration.ofSeconds(10));
        hosting(registry, "sfu-a", 90, meeting);
        hosting(registry, "sfu-b", 0);
        // No placement (Redis came back empty) and the keep-alive of the nodes holding sockets has not run yet.
        assertThat(directory.place(meeting, clock.instant().minusSeconds(3600), Optional.empty()).nodeId())
                .isEqualTo("sfu-a");
        assertThat(placements.sfuFor(meeting)).contains("sfu-a");
    }

    @Test
    void whileTheRegistryRefillsAMeetingOlderThanItsMemoryIsNotPlacedAnew() {
        Instant created = clock.instant().minusSeconds(600);
        UUID meeting = UUID.randomUUID();
        // Redis came back empty: only sfu-b has heartbeated so far; sfu-a, which hosts the meeting, will in a moment.
        hosting(registry, "sfu-b", 0);
        assertThatThrownBy(() -> directory.place(meeting, created, Optional.empty()))
                .isInstanceOf(NoSfuAvailableException.class).hasMessageContaining("registry is being rebuilt");
        assertThat(placements.sfuFor(meeting)).isEmpty();
        // A meeting created since the registry's memory began cannot be hosted anywhere yet: placed at once.
        clock.advance(Duration.ofMillis(200));
        UUID fresh = UUID.randomUUID();
        assertThat(directory.place(fresh, clock.instant(), Optional.empty()).nodeId()).isEqualTo("sfu-b");

        clock.advance(Duration.ofMillis(700));
        hosting(registry, "sfu-a", 3, meeting);
        assertThat(directory.place(meeting, created, Optional.empty()).nodeId()).isEqualTo("sfu-a");

        // Once every live node has had "dead after" to report, a meeting nobody hosts is placed anew.
        UUID old = UUID.randomUUID();
        clock.advance(Duration.ofSeconds(3));
        hosting(registry, "sfu-a", 3, meeting);
        hosting(registry, "sfu-b", 1, fresh);
        assertThat(directory.place(old, created, Optional.empty()).nodeId()).isEqualTo("sfu-b");
    }

    @Test
    void whileTheRegistryRefillsAPlacedMeetingIsNotMovedOffItsUnreportedNode() {
        UUID meeting = UUID.randomUUID();
        // Redis came back empty; a signaling node wrote the placement back (sfu-a), sfu-a has not heartbeated yet.
        placements.assignIfAbsent(meeting, "sfu-a");
        hosting(registry, "sfu-b", 0);
        assertThatThrownBy(() -> directory.place(meeting, clock.instant().minusSeconds(600), Optional.empty()))
                .isInstanceOf(NoSfuAvailableException.class);
        assertThat(placements.sfuFor(meeting)).contains("sfu-a");
        clock.advance(Duration.ofMillis(500));
        hosting(registry, "sfu-a", 2, meeting);
        assertThat(directory.place(meeting, Optional.empty()).nodeId()).isEqualTo("sfu-a");
    }

    @Test
    void signalingNodesRacingOverAnOrphanedMeetingAllFollowItsHost() throws Exception {
        for (int round = 0; round < 40; round++) {
            UUID orphan = UUID.randomUUID();
            UUID brandNew = UUID.randomUUID();
            InMemorySfuRegistry shared = new InMemorySfuRegistry(Duration.ofSeconds(3));
            InMemoryMeetingPlacement store = new InMemoryMeetingPlacement(clock, Duration.ofHours(2));
            hosting(shared, "sfu-a", 0);
            hosting(shared, "sfu-b", 50, orphan);
            hosting(shared, "sfu-c", 0);
            List<RegistrySfuDirectory> nodes = List.of(
                    new RegistrySfuDirectory(shared, store, info -> new FakeSfuNode(), clock),
                    new RegistrySfuDirectory(shared, store, info -> new FakeSfuNode(), clock));
            Instant created = clock.instant().minusSeconds(60);
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            List<java.util.concurrent.Future<String[]>> answers = new ArrayList<>();
            try (java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(6)) {
                for (int i = 0; i < 6; i++) {
                    RegistrySfuDirectory d = nodes.get(i % 2);
                    answers.add(pool.submit(() -> {
                        go.await();
                        return new String[] {d.place(orphan, created, Optional.empty()).nodeId(),
                                d.place(brandNew, clock.instant(), Optional.empty()).nodeId()};
                    }));
                }
                go.countDown();
                java.util.Set<String> forNew = new java.util.HashSet<>();
                for (var a : answers) {
                    String[] got = a.get(10, java.util.concurrent.TimeUnit.SECONDS);
                    assertThat(got[0]).as("round %d: the orphan goes where it is hosted", round).isEqualTo("sfu-b");
                    forNew.add(got[1]);
                }
                assertThat(forNew).as("round %d: one winner for a new meeting", round).hasSize(1);
                assertThat(store.sfuFor(brandNew)).contains(forNew.iterator().next());
            }
            assertThat(store.sfuFor(orphan)).contains("sfu-b");
            clock.advance(Duration.ofSeconds(1));
        }
    }

    @Test
    void aNodeRestartedUnderTheSameIdAtAnotherAddressIsReachedThereAtOnce() {
        registry.heartbeat(new SfuNodeInfo("sfu-a", "wss://127.0.0.1:7001/v1/sfu-control", "127.0.0.1:50000", "eu", 0, 0,
                0.1, false, clock.instant()));
        SfuNode before = directory.node("sfu-a");
        clock.advance(Duration.ofSeconds(1));
        registry.heartbeat(new SfuNodeInfo("sfu-a", "wss://127.0.0.1:7002/v1/sfu-control", "127.0.0.1:50002", "eu", 0, 0,
                0.1, false, clock.instant()));
        SfuNode after = directory.node("sfu-a");
        assertThat(after).isNotSameAs(before);
        assertThat(directory.node("sfu-a")).isSameAs(after);
        assertThat(addresses).containsExactly("wss://127.0.0.1:7001/v1/sfu-control", "wss://127.0.0.1:7002/v1/sfu-control");
    }
}
