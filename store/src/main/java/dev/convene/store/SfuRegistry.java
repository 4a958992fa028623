package dev.convene.store;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The SFU nodes of the fleet and how busy each is. Every SFU node calls {@link #heartbeat}
 * once per {@link #HEARTBEAT_INTERVAL}; a node not heard from for the implementation's
 * "dead after" time (by default {@link #DEFAULT_DEAD_AFTER}: four missed heartbeats) is no
 * longer {@linkplain #healthy healthy}. Implementations are thread-safe.
 */
public interface SfuRegistry {

    /** Four a second: a few small writes per node, so a dead node is out of placement within a second (ADR 0019). */
    Duration HEARTBEAT_INTERVAL = Duration.ofMillis(250);

    /** Four heartbeats missed: 1 s. */
    Duration DEFAULT_DEAD_AFTER = HEARTBEAT_INTERVAL.multipliedBy(4);

    /**
     * Registers the node, or replaces its entry with this one (address, load, draining flag,
     * meetings and {@link SfuNodeInfo#lastHeartbeat()}).
     *
     * @return true if the registry had no entry for the node: its first heartbeat, or the first
     *     since the registry lost its data (Redis restarted empty), when the node should write back
     *     what else it knows, such as its meetings' placement
     */
    boolean heartbeat(SfuNodeInfo node);

    /**
     * When the registry's present memory began: the heartbeat time of the first node it heard
     * from since it was created or last lost its data, or empty while it holds nothing. While
     * this is younger than {@link #deadAfter()} a live node may not have registered yet, so the
     * registry cannot yet say that no node hosts a meeting.
     */
    Optional<Instant> memorySince();

    Optional<SfuNodeInfo> find(String nodeId);

    /**
     * Nodes heard from less than the "dead after" time before {@code now}, ordered by node id.
     * Draining nodes are included (they are alive and still serve their meetings); placement
     * of new meetings skips them.
     */
    List<SfuNodeInfo> healthy(Instant now);

    /**
     * Every node the registry still remembers, dead or alive, ordered by node id; failover
     * uses it to tell a dead node from one that never existed.
     */
    List<SfuNodeInfo> all();

    /**
     * Forgets the node (a clean shutdown).
     *
     * @return true if the node was registered
     */
    boolean remove(String nodeId);

    /** How long after its last heartbeat a node counts as dead. */
    Duration deadAfter();
}
