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
import java.util.concurrent.atomic.AtomicReference;

/** The SFU registry of one process (the all-in-one role and tests). */
public final class InMemorySfuRegistry implements SfuRegistry {

    private final Duration deadAfter;
    private final ConcurrentMap<String, SfuNodeInfo> nodes = new ConcurrentHashMap<>();
    private final AtomicReference<Instant> since = new AtomicReference<>();

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
    public boolean heartbeat(SfuNodeInfo node) {
        since.compareAndSet(null, node.lastHeartbeat());
        return nodes.put(node.nodeId(), node) == null;
    }

    @Override
    public Optional<Instant> memorySince() {
        return Optional.ofNullable(since.get());
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
