package dev.convene.signaling.placement;

import dev.convene.sfu.SfuNode;
import dev.convene.store.MeetingPlacement;
import dev.convene.store.SfuNodeInfo;
import dev.convene.store.SfuRegistry;
import dev.convene.store.StoreUnavailableException;
import java.time.Clock;
import java.time.Instant;
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
 * healthy; a meeting without a placement goes first to a healthy node that reports hosting it
 * (the placement store lost it, ADR 0020), else — a new meeting, or one whose node died — to the
 * least-loaded healthy node, in the client's region when one there is healthy. The meeting → node
 * mapping is written atomically, so joins on different signaling nodes agree on one SFU.
 */
public final class RegistrySfuDirectory implements SfuDirectory {

    private static final Logger log = LoggerFactory.getLogger(RegistrySfuDirectory.class);

    /** Least participants first, then least CPU, then node id so that ties break the same everywhere. */
    static final Comparator<SfuNodeInfo> LEAST_LOADED = Comparator.comparingInt(SfuNodeInfo::participants)
            .thenComparingDouble(SfuNodeInfo::cpu)
            .thenComparing(SfuNodeInfo::nodeId);

    /** A control connection and the address it was opened to. */
    private record Connection(String address, SfuNode node) {}

    private final SfuRegistry registry;
    private final MeetingPlacement placements;
    private final Function<SfuNodeInfo, SfuNode> connector;
    private final Clock clock;
    private final Map<String, Connection> connected = new ConcurrentHashMap<>();
    private final SfuSuspects suspects = new SfuSuspects();
    private final MeetingMover mover;

    /**
     * @param connector opens the control connection to a node (called once per node and address;
     *     a connection it returns that is {@link AutoCloseable} is closed when the node moves)
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
        return place(meetingId, clock.instant(), regionHint);
    }

    @Override
    public Placement place(UUID meetingId, Instant meetingCreatedAt, Optional<String> regionHint) {
        Instant now = clock.instant();
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
            Connection live = connected.get(current.get());
            if (live != null && live.node().reachable() && !suspects.isSuspect(current.get())) {
                placements.refresh(meetingId);
                return new Placement(current.get(), registry.find(current.get()).map(SfuNodeInfo::region).orElse("-"));
            }
        }
        // Ask the fleet before placing anew: a node with participants of the meeting wins over any fresh pick.
        Optional<SfuNodeInfo> host = hostOf(meetingId, healthy);
        if (host.isEmpty()) {
            refuseWhileTheRegistryRefills(meetingId, current, meetingCreatedAt, now);
        }
        SfuNodeInfo best = host.or(() -> choose(healthy, regionHint))
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
        log.info("event={} meeting_id={} sfu_node_id={} region={} previous={}",
                host.isPresent() ? "placement_recovered" : "meeting_placed", meetingId, best.nodeId(), best.region(),
                current.orElse("-"));
        return new Placement(best.nodeId(), best.region());
    }

    /**
     * The healthy node that reports participants of the meeting; if several do (a split that
     * failover has yet to settle), the one with the lowest id, so every signaling node picks the same.
     */
    static Optional<SfuNodeInfo> hostOf(UUID meetingId, List<SfuNodeInfo> healthy) {
        return healthy.stream().filter(n -> n.hosts(meetingId)).min(Comparator.comparing(SfuNodeInfo::nodeId));
    }

    /**
     * No healthy node hosts the meeting and it is to be placed anew. If the registry began
     * remembering (Redis came back empty) less than a "dead after" ago, a live node may simply not
     * have heartbeated yet: the meeting's own node, missing from the registry, is not known dead,
     * and a node hosting a meeting without placement may not have said so. Placing now could split
     * the meeting, so the join is refused (503, retry) — unless the meeting has no placement and is
     * younger than the registry's memory, and so cannot be hosted anywhere.
     */
    private void refuseWhileTheRegistryRefills(UUID meetingId, Optional<String> current, Instant meetingCreatedAt,
            Instant now) {
        Optional<Instant> since = registry.memorySince();
        if (since.isEmpty()) {
            return; // Nothing registered: there is no node to place on, and choose() says so.
        }
        if (current.isPresent() && suspects.isSuspect(current.get())) {
            return; // Its node was found dead here (ADR 0019): moving the meeting is the failover's point.
        }
        boolean refilling = now.isBefore(since.get().plus(registry.deadAfter()));
        if (refilling && (current.isPresent() || meetingCreatedAt.isBefore(since.get()))) {
            log.info("event=placement_deferred meeting_id={} placed_on={} registry_since={} reason=registry_refilling",
                    meetingId, current.orElse("-"), since.get());
            throw new NoSfuAvailableException("the SFU registry is being rebuilt; try again in a second");
        }
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
    public boolean isDraining(String nodeId) {
        try {
            return registry.find(nodeId).map(SfuNodeInfo::draining).orElse(false);
        } catch (StoreUnavailableException e) {
            return false;
        }
    }

    /**
     * The node's control connection at the address the registry holds now. A connection opened to
     * another address (the node restarted elsewhere under the same id) is replaced and closed. Only
     * while the registry is unreachable is the last connection used as it is.
     */
    @Override
    public SfuNode node(String nodeId) {
        SfuNodeInfo info;
        try {
            info = registry.find(nodeId)
                    .orElseThrow(() -> new NoSfuAvailableException("SFU node " + nodeId + " is not registered"));
        } catch (StoreUnavailableException e) {
            Connection last = connected.get(nodeId);
            if (last != null) {
                return last.node();
            }
            throw e;
        }
        Connection[] replaced = {null};
        Connection c = connected.compute(nodeId, (id, existing) -> {
            if (existing != null && existing.address().equals(info.controlAddress())) {
                return existing;
            }
            replaced[0] = existing;
            return new Connection(info.controlAddress(), connector.apply(info));
        });
        if (replaced[0] != null) {
            log.info("event=sfu_address_changed sfu_node_id={} old={} new={}", nodeId, replaced[0].address(),
                    info.controlAddress());
            if (replaced[0].node() instanceof AutoCloseable closeable) {
                try {
                    closeable.close();
                } catch (Exception e) {
                    log.warn("event=sfu_connection_close_failed sfu_node_id={} error={}", nodeId, e.toString());
                }
            }
        }
        return c.node();
    }

    @Override
    public String nodeForJoin(UUID meetingId, String claimedNode) {
        try {
            Optional<String> current = placements.sfuFor(meetingId);
            if (current.isPresent() && !current.get().equals(claimedNode)) {
                return current.get();
            }
            if (suspects.isSuspect(claimedNode)) {
                // Found dead here, and the meeting not moved yet: move it now (one winner), as the failover would.
                return moveFrom(meetingId, claimedNode).orElse(claimedNode);
            }
        } catch (StoreUnavailableException e) {
            // The shared store cannot say where the meeting is: the token's node, as before there was a move to follow.
            log.debug("event=join_placement_unread meeting_id={} error={}", meetingId, e.toString());
        }
        return claimedNode;
    }

    @Override
    public boolean reachable(String nodeId) {
        Connection c = connected.get(nodeId);
        return c == null || c.node().reachable();
    }

    @Override
    public boolean refusing(String nodeId) {
        Connection c = connected.get(nodeId);
        return c != null && c.node().refusing();
    }

    @Override
    public void markDead(String nodeId) {
        suspects.markDead(nodeId, clock.instant());
    }

    @Override
    public Map<String, java.net.InetSocketAddress> mediaAddresses() {
        Map<String, java.net.InetSocketAddress> out = new java.util.TreeMap<>();
        for (SfuNodeInfo n : registry.healthy(clock.instant())) {
            java.net.InetSocketAddress a = SfuSuspects.mediaAddress(n);
            if (a != null) {
                out.put(n.nodeId(), a);
            } else {
                log.debug("event=media_address_unusable sfu_node_id={} address={}", n.nodeId(), n.mediaAddress());
            }
        }
        return out;
    }

    @Override
    public Optional<String> placedOn(UUID meetingId) {
        return placements.sfuFor(meetingId);
    }

    @Override
    public void markMediaUnreachable(String nodeId, java.net.InetSocketAddress address) {
        suspects.markMediaUnreachable(nodeId, address);
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
