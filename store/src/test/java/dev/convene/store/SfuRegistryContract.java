package dev.convene.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What every {@link SfuRegistry} must do; each implementation's test extends this. Heartbeat
 * times are whole milliseconds, the precision networked implementations keep.
 */
public abstract class SfuRegistryContract {

    protected abstract SfuRegistry newRegistry(Duration deadAfter);

    private final Instant t0 = Instant.now().truncatedTo(ChronoUnit.MILLIS);

    private static SfuNodeInfo node(String id, Instant heartbeat) {
        return new SfuNodeInfo(id, "http://10.0.0.1:7000/" + id, "10.0.0.1:50000", "eu-west", 12, 40, 0.25, false, heartbeat);
    }

    @Test
    void findsWhatTheLastHeartbeatSaid() {
        SfuRegistry registry = newRegistry(SfuRegistry.DEFAULT_DEAD_AFTER);
        SfuNodeInfo first = node("sfu-a", t0);
        registry.heartbeat(first);
        assertThat(registry.find("sfu-a")).contains(first);

        SfuNodeInfo later = first.withLoad(30, 90, 0.625).withDraining(true).withHeartbeat(t0.plusSeconds(1));
        registry.heartbeat(later);
        assertThat(registry.find("sfu-a")).contains(later);
        assertThat(registry.find("sfu-unknown")).isEmpty();
    }

    @Test
    void aNodeIsDeadAfterFourMissedHeartbeatsByDefault() {
        SfuRegistry registry = newRegistry(SfuRegistry.DEFAULT_DEAD_AFTER);
        assertThat(registry.deadAfter()).isEqualTo(Duration.ofSeconds(1));
        registry.heartbeat(node("sfu-a", t0));
        registry.heartbeat(node("sfu-b", t0.plusMillis(600)));

        assertThat(ids(registry.healthy(t0.plusMillis(999)))).containsExactly("sfu-a", "sfu-b");
        assertThat(ids(registry.healthy(t0.plusSeconds(1)))).containsExactly("sfu-b");
        assertThat(ids(registry.healthy(t0.plusSeconds(2)))).isEmpty();
        assertThat(ids(registry.all())).containsExactly("sfu-a", "sfu-b");
    }

    @Test
    void deadAfterIsConfigurable() {
        SfuRegistry registry = newRegistry(Duration.ofMillis(1_500));
        registry.heartbeat(node("sfu-a", t0));
        assertThat(ids(registry.healthy(t0.plusMillis(1_499)))).containsExactly("sfu-a");
        assertThat(registry.healthy(t0.plusMillis(1_500))).isEmpty();
    }

    @Test
    void aHeartbeatRevivesADeadNode() {
        SfuRegistry registry = newRegistry(SfuRegistry.DEFAULT_DEAD_AFTER);
        registry.heartbeat(node("sfu-a", t0));
        assertThat(registry.healthy(t0.plusSeconds(10))).isEmpty();
        registry.heartbeat(node("sfu-a", t0.plusSeconds(10)));
        assertThat(ids(registry.healthy(t0.plusMillis(10_500)))).containsExactly("sfu-a");
    }

    @Test
    void drainingNodesStayHealthyAndSaySo() {
        SfuRegistry registry = newRegistry(SfuRegistry.DEFAULT_DEAD_AFTER);
        registry.heartbeat(node("sfu-a", t0).withDraining(true));
        assertThat(registry.healthy(t0.plusMillis(500))).singleElement()
                .satisfies(n -> assertThat(n.draining()).isTrue());
    }

    @Test
    void aHeartbeatCarriesTheNodesMeetingsAndSaysWhenTheNodeWasNotRegistered() {
        SfuRegistry registry = newRegistry(SfuRegistry.DEFAULT_DEAD_AFTER);
        java.util.UUID m1 = java.util.UUID.randomUUID();
        java.util.UUID m2 = java.util.UUID.randomUUID();
        assertThat(registry.heartbeat(node("sfu-a", t0).withMeetings(List.of(m1.toString(), m2.toString())))).isTrue();
        assertThat(registry.find("sfu-a")).hasValueSatisfying(n -> {
            assertThat(n.hosts(m1)).isTrue();
            assertThat(n.hosts(m2)).isTrue();
            assertThat(n.hosts(java.util.UUID.randomUUID())).isFalse();
        });
        assertThat(registry.heartbeat(node("sfu-a", t0.plusSeconds(1)).withMeetings(List.of(m2.toString())))).isFalse();
        assertThat(registry.healthy(t0.plusSeconds(1))).singleElement()
                .satisfies(n -> assertThat(n.meetings()).containsExactly(m2.toString()));
        assertThat(registry.heartbeat(node("sfu-a", t0.plusSeconds(2)))).isFalse();
        assertThat(registry.find("sfu-a").orElseThrow().meetings()).isEmpty();
        // Forgotten (a clean stop, or a registry that lost its data): the next heartbeat registers anew.
        registry.remove("sfu-a");
        assertThat(registry.heartbeat(node("sfu-a", t0.plusSeconds(3)))).isTrue();
    }

    @Test
    void itsMemoryBeginsWithTheFirstHeartbeat() {
        SfuRegistry registry = newRegistry(SfuRegistry.DEFAULT_DEAD_AFTER);
        assertThat(registry.memorySince()).isEmpty();
        registry.heartbeat(node("sfu-a", t0));
        registry.heartbeat(node("sfu-b", t0.plusSeconds(1)));
        registry.heartbeat(node("sfu-a", t0.plusSeconds(2)));
        assertThat(registry.memorySince()).contains(t0);
    }

    @Test
    void removeForgetsTheNode() {
        SfuRegistry registry = newRegistry(SfuRegistry.DEFAULT_DEAD_AFTER);
        registry.heartbeat(node("sfu-a", t0));
        registry.heartbeat(node("sfu-b", t0));
        assertThat(registry.remove("sfu-a")).isTrue();
        assertThat(registry.remove("sfu-a")).isFalse();
        assertThat(registry.find("sfu-a")).isEmpty();
        assertThat(ids(registry.healthy(t0))).containsExactly("sfu-b");
        assertThat(ids(registry.all())).containsExactly("sfu-b");
    }

    @Test
    void concurrentHeartbeatsOfManyNodesAreAllKept() throws Exception {
        SfuRegistry registry = newRegistry(SfuRegistry.DEFAULT_DEAD_AFTER);
        int nodes = 50;
        ExecutorService pool = Executors.newFixedThreadPool(16);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < nodes; i++) {
                String id = "sfu-%02d".formatted(i);
                done.add(pool.submit(() -> {
                    start.await();
                    for (int beat = 0; beat < 5; beat++) {
                        registry.heartbeat(node(id, t0.plusSeconds(beat)));
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        List<SfuNodeInfo> healthy = registry.healthy(t0.plusMillis(4_500));
        assertThat(healthy).hasSize(nodes);
        assertThat(healthy).allSatisfy(n -> assertThat(n.lastHeartbeat()).isEqualTo(t0.plusSeconds(4)));
        assertThat(ids(healthy)).isSorted();
    }

    private static List<String> ids(List<SfuNodeInfo> nodes) {
        return nodes.stream().map(SfuNodeInfo::nodeId).toList();
    }
}
