package dev.convene.store.memory;

import dev.convene.store.SfuNodeInfo;
import dev.convene.store.SfuRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/** The SFU registry of one process (the all-in-one role and tests). */
public final class InMemorySfuRegistry implements SfuRegistry {

    private final Duration deadAfter;
    private final ConcurrentMap<String, SfuNodeInfo> nodes = new ConcurrentHashMap<>();

    public InMemorySfuRegistry() {
        this(DEFAULT_DEAD_AFTER);
    }

    public InMemorySfuRegistry(Duration deadAfter) {
        Objects.requireNonNull(deadAfter, "deadAfter");
        if (deadAfter.isNegative() || deadAfter.isZero()) {
            throw new IllegalArgumentException("deadAfter must be positive");
        }
        this.deadAfter = deadAfter;
    }

    @Override
    public void heartbeat(SfuNodeInfo node) {
        nodes.put(node.nodeId(), node);
    }

    @Override
    public Optional<SfuNodeInfo> find(String nodeId) {
        return Optional.ofNullable(nodes.get(nodeId));
    }

    @Override
    public List<SfuNodeInfo> healthy(Instant now) {
        Instant cutoff = now.minus(deadAfter);
        return nodes.values().stream()
                .filter(n -> n.lastHeartbeat().isAfter(cutoff))
                .sorted(Comparator.comparing(SfuNodeInfo::nodeId))
                .toList();
    }

    @Override
    public List<SfuNodeInfo> all() {
        return nodes.values().stream().sorted(Comparator.comparing(SfuNodeInfo::nodeId)).toList();
    }

    @Override
    public boolean remove(String nodeId) {
        return nodes.remove(nodeId) != null;
    }

    @Override
    public Duration deadAfter() {
        return deadAfter;
    }
}
