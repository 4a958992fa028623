package dev.convene.signaling.placement;

import dev.convene.sfu.SfuNode;
import dev.convene.store.MeetingPlacement;
import dev.convene.store.SfuNodeInfo;
import dev.convene.store.SfuRegistry;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Places meetings on the fleet's SFU nodes: a meeting stays on its node while that node is
 * healthy; a new meeting (or one whose node died) goes to the least-loaded healthy node, in the
 * client's region when one there is healthy. The meeting → node mapping is written atomically,
 * so joins on different signaling nodes agree on one SFU.
 */
public final class RegistrySfuDirectory implements SfuDirectory {

    private static final Logger log = LoggerFactory.getLogger(RegistrySfuDirectory.class);

    /** Least participants first, then least CPU, then node id so that ties break the same everywhere. */
    static final Comparator<SfuNodeInfo> LEAST_LOADED = Comparator.comparingInt(SfuNodeInfo::participants)
            .thenComparingDouble(SfuNodeInfo::cpu)
            .thenComparing(SfuNodeInfo::nodeId);

    private final SfuRegistry registry;
    private final MeetingPlacement placements;
    private final Function<SfuNodeInfo, SfuNode> connector;
    private final Clock clock;
    private final Map<String, SfuNode> connected = new ConcurrentHashMap<>();
    private final SfuSuspects suspects = new SfuSuspects();
    private final MeetingMover mover;

    /**
     * @param connector opens the control connection to a node (called once per node and cached)
     */
    public RegistrySfuDirectory(SfuRegistry registry, MeetingPlacement placements, Function<SfuNodeInfo, SfuNode> connector,
            Clock clock) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.placements = Objects.requireNonNull(placements, "placements");
        this.connector = Objects.requireNonNull(connector, "connector");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.mover = new MeetingMover(placements);
    }

    /** The registry's healthy nodes less those found dead here (ADR 0019). */
    private List<SfuNodeInfo> healthy() {
        return registry.healthy(clock.instant()).stream().filter(n -> !suspects.isSuspect(n)).toList();
    }

    @Override
    public Placement place(UUID meetingId, Optional<String> regionHint) {
        List<SfuNodeInfo> healthy = healthy();
        Optional<String> current = placements.sfuFor(meetingId);
        if (current.isPresent()) {
            Optional<SfuNodeInfo> node = healthy.stream().filter(n -> n.nodeId().equals(current.get())).findFirst();
            if (node.isPresent()) {
                placements.refresh(meetingId);
                return new Placement(node.get().nodeId(), node.get().region());
            }
            // Unheard by the registry for a moment (a starved node misses a 1 s "dead after"), but
            // its control connection here is up: moving the meeting would split it (ADR 0019).
            SfuNode live = connected.get(current.get());
            if (live != null && live.reachable() && !suspects.isSuspect(current.get())) {
                placements.refresh(meetingId);
                return new Placement(current.get(), registry.find(current.get()).map(SfuNodeInfo::region).orElse("-"));
            }
        }
        SfuNodeInfo best = choose(healthy, regionHint)
                .orElseThrow(() -> new NoSfuAvailableException("no healthy SFU node can take meeting " + meetingId));
        String winner = current.isPresent()
                ? (placements.compareAndSet(meetingId, current.get(), best.nodeId()) ? best.nodeId()
                        : placements.sfuFor(meetingId).orElse(best.nodeId()))
                : placements.assignIfAbsent(meetingId, best.nodeId());
        if (!winner.equals(best.nodeId())) {
            // Another signaling node placed the meeting first; follow it if that node is healthy.
            return healthy.stream().filter(n -> n.nodeId().equals(winner)).findFirst()
                    .map(n -> new Placement(n.nodeId(), n.region()))
                    .orElseThrow(() -> new NoSfuAvailableException("meeting " + meetingId + " is on SFU " + winner
                            + ", which is not healthy"));
        }
        log.info("event=meeting_placed meeting_id={} sfu_node_id={} region={} previous={}", meetingId, best.nodeId(),
                best.region(), current.orElse("-"));
        return new Placement(best.nodeId(), best.region());
    }

    static Optional<SfuNodeInfo> choose(List<SfuNodeInfo> healthy, Optional<String> regionHint) {
        List<SfuNodeInfo> open = healthy.stream().filter(n -> !n.draining()).toList();
        if (regionHint.isPresent()) {
            Optional<SfuNodeInfo> inRegion = open.stream().filter(n -> n.region().equals(regionHint.get()))
                    .min(LEAST_LOADED);
            if (inRegion.isPresent()) {
                return inRegion;
            }
        }
        return open.stream().min(LEAST_LOADED);
    }

    @Override
    public void keepPlacement(UUID meetingId, String nodeId) {
        if (!placements.refresh(meetingId)) {
            String winner = placements.assignIfAbsent(meetingId, nodeId);
            log.info("event=placement_restored meeting_id={} sfu_node_id={} winner={}", meetingId, nodeId, winner);
        }
    }

    @Override
    public SfuNode node(String nodeId) {
        SfuNode node = connected.get(nodeId);
        if (node != null) {
            return node;
        }
        SfuNodeInfo info = registry.find(nodeId)
                .orElseThrow(() -> new NoSfuAvailableException("SFU node " + nodeId + " is not registered"));
        return connected.computeIfAbsent(nodeId, id -> connector.apply(info));
    }

    @Override
    public boolean reachable(String nodeId) {
        SfuNode node = connected.get(nodeId);
        return node == null || node.reachable();
    }

    @Override
    public boolean refusing(String nodeId) {
        SfuNode node = connected.get(nodeId);
        return node != null && node.refusing();
    }

    @Override
    public void markDead(String nodeId) {
        suspects.markDead(nodeId, clock.instant());
    }

    @Override
    public Optional<String> moveFrom(UUID meetingId, String deadNode) {
        Optional<String> region = registry.find(deadNode).map(SfuNodeInfo::region);
        return mover.move(meetingId, deadNode, healthy(), region);
    }

    @Override
    public boolean heardFromWithin(String nodeId, java.time.Duration within) {
        try {
            return registry.find(nodeId).map(n -> n.lastHeartbeat().isAfter(clock.instant().minus(within))).orElse(false);
        } catch (RuntimeException e) {
            // The registry cannot say: the control connection's word stands.
            return false;
        }
    }

    @Override
    public void connectAll() {
        for (SfuNodeInfo n : healthy()) {
            if (!connected.containsKey(n.nodeId())) {
                try {
                    node(n.nodeId());
                } catch (RuntimeException e) {
                    log.debug("event=sfu_preconnect_failed sfu_node_id={} error={}", n.nodeId(), e.toString());
                }
            }
        }
    }
}
