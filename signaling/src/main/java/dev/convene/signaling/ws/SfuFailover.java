package dev.convene.signaling.ws;

import dev.convene.signaling.placement.MediaProbe;
import dev.convene.signaling.placement.SfuDirectory;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SFU failure on one signaling node (ADR 0019): a lost control connection means the SFU is dead
 * as soon as its reconnection is refused (nothing listens: the process is gone, ADR 0029), and
 * otherwise once it is not back within {@link #CONFIRM} and the registry has not heard from it
 * for {@link #REGISTRY_SILENCE} either (stopped, or cut off), and in any case after
 * {@link #MAX_VERDICT}. Then every meeting this node has participants of on that SFU is moved
 * ({@link SfuDirectory#moveFrom}, compare-and-set) and each of those participants is rebuilt on
 * the new SFU and told {@code migrate}. A connection that comes back
 * in time was a blip: its participants resume onto their old sessions as before (ADR 0017).
 *
 * <p>The control layer reports the loss once per session, all at the same moment; the first
 * report of a node starts its verdict timer and the rest join it.
 */
final class SfuFailover implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SfuFailover.class);

    /** How long a lost control connection may take to come back before its SFU counts as dead. */
    static final Duration CONFIRM = Duration.ofMillis(300);
    /**
     * How often a fresh loss is looked at before {@link #CONFIRM}: the first reconnection is tried
     * 50–100 ms after the loss, and its refusal is a verdict that needs no more waiting.
     */
    static final Duration EARLY_LOOK = Duration.ofMillis(20);
    /**
     * A node still heartbeating to the registry this recently is only slow, not dead (the
     * registry's own "dead after"): the verdict waits for the registry to agree, or for the
     * connection. A killed node does not wait for this: its reconnection is refused.
     */
    static final Duration REGISTRY_SILENCE = Duration.ofSeconds(1);
    static final Duration RECHECK = Duration.ofMillis(100);
    /** Past this the node is dead whatever the registry says: its control surface has been gone too long. */
    static final Duration MAX_VERDICT = Duration.ofSeconds(3);
    static final Duration PRECONNECT_INTERVAL = Duration.ofSeconds(2);
    /** How often each SFU's media port is probed (ADR 0030). */
    static final Duration PROBE_INTERVAL = Duration.ofMillis(250);
    /**
     * A node whose probes go unanswered is cut off only if it is running meanwhile: its registry
     * heartbeat (every 250 ms) is at most this old. Otherwise the whole process is stalled or
     * starved, which is the control connection's verdict to take (ADR 0029, 0030).
     */
    static final Duration RUNNING = Duration.ofMillis(500);
    /**
     * How often this node's participants are checked against their meetings' placement: one whose
     * session is on another node than its meeting's is moved there (ADR 0030 §5).
     */
    static final Duration FOLLOW_INTERVAL = Duration.ofSeconds(1);

    private final SfuDirectory sfus;
    private final Supplier<? extends Iterable<? extends Movable>> connections;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("convene-sfu-failover").daemon().factory());
    private final ScheduledExecutorService preconnector = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("convene-sfu-preconnect").daemon().factory());
    /** Nodes whose verdict is pending, with the connections that lost their session there. */
    private final Map<String, Set<Movable>> pending = new ConcurrentHashMap<>();
    /** Null when no UDP socket could be opened: detection then rests on the control connection alone. */
    private final MediaProbe probe;
    /** Media addresses to probe, refreshed from the registry by the preconnect timer. */
    private volatile Map<String, InetSocketAddress> probed = Map.of();
    /** Nodes found unreachable by the probe and failed over; timer thread only. */
    private final Set<String> mediaDown = new HashSet<>();

    SfuFailover(SfuDirectory sfus, Supplier<? extends Iterable<? extends Movable>> connections) {
        this.sfus = sfus;
        this.connections = connections;
        // Its own thread: a registry read that waits for Redis never delays a verdict.
        preconnector.scheduleWithFixedDelay(this::preconnect, 0, PRECONNECT_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        preconnector.scheduleWithFixedDelay(this::followPlacement, FOLLOW_INTERVAL.toMillis(),
                FOLLOW_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        MediaProbe p = null;
        try {
            p = new MediaProbe();
            timer.scheduleWithFixedDelay(this::probeTick, PROBE_INTERVAL.toMillis(), PROBE_INTERVAL.toMillis(),
                    TimeUnit.MILLISECONDS);
        } catch (java.net.SocketException e) {
            log.warn("event=media_probe_unavailable error=\"{}\"", e.getMessage());
        }
        this.probe = p;
    }

    private void preconnect() {
        try {
            probed = sfus.mediaAddresses();
            sfus.connectAll();
        } catch (RuntimeException e) {
            log.debug("event=sfu_preconnect_failed error={}", e.toString());
        }
    }

    /** What the failover needs of a participant's connection; {@link SignalConnection} in production. */
    interface Movable {
        boolean isJoined();

        UUID meetingId();

        String sfuNodeId();

        /** Rebuilds the participant on {@code newNode}; false if it was no longer on {@code oldNode}. */
        boolean migrate(String oldNode, String newNode, boolean oldNodeLive);

        /** The control connection came back: the client reconnects and re-attaches to its session. */
        void resumeOnSameSfu();
    }

    private void followPlacement() {
        try {
            follow(sfus, connections.get());
        } catch (RuntimeException e) {
            log.debug("event=placement_follow_failed error={}", e.toString());
        }
    }

    /**
     * Moves each joined participant whose session is on another node than its meeting's placement
     * to the placed node, if that node's control connection is up. The failover moves a meeting
     * when this node finds its SFU dead; another signaling node (or a resume, or a drain) may move
     * it first, or this node may never see the failure at all (its sessions there idle, its
     * verdict lost): without this its participants would stay behind, split from the rest. A
     * meeting whose placement is missing (Redis restarted empty) is left alone: the leases refill it.
     *
     * @return participants whose move was started
     */
    static int follow(SfuDirectory sfus, Iterable<? extends Movable> connections) {
        Map<UUID, Optional<String>> placed = new HashMap<>();
        int moved = 0;
        for (Movable c : connections) {
            if (!c.isJoined()) {
                continue;
            }
            UUID meeting = c.meetingId();
            String on = c.sfuNodeId();
            Optional<String> target = placed.computeIfAbsent(meeting, sfus::placedOn);
            if (target.isEmpty() || target.get().equals(on) || !sfus.reachable(target.get())) {
                continue;
            }
            String to = target.get();
            boolean fromLive = sfus.reachable(on);
            log.warn("event=placement_follow meeting_id={} from={} to={} from_live={}", meeting, on, to, fromLive);
            // Its own thread, as a failover's: one slow join holds up no other participant. A
            // second look before it ends finds the participant busy (lifecycle lock) or moved.
            Thread.ofVirtual().name("convene-follow-" + meeting).start(() -> c.migrate(on, to, fromLive));
            moved++;
        }
        return moved;
    }

    /** The session of {@code c} on {@code nodeId} lost its control connection. From an SFU callback: never blocks. */
    void onDetached(Movable c, String nodeId) {
        if (nodeId == null) {
            return; // not joined anywhere yet: nothing to fail over
        }
        boolean[] first = {false};
        pending.computeIfAbsent(nodeId, id -> {
            first[0] = true;
            return ConcurrentHashMap.newKeySet();
        }).add(c);
        if (first[0]) {
            long lostAt = System.nanoTime();
            timer.schedule(() -> verdict(nodeId, lostAt), EARLY_LOOK.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void verdict(String nodeId, long lostAt) {
        boolean back = sfus.reachable(nodeId);
        long waited = System.nanoTime() - lostAt;
        // A refused reconnect means nothing listens there any more: dead, however early. Short of
        // that, a connection not back within CONFIRM is dead once the registry stopped hearing
        // from the node too (a starved but live node still heartbeats), or after MAX_VERDICT.
        boolean refused = !back && sfus.refusing(nodeId);
        if (!back && !refused && waited < CONFIRM.toNanos()) {
            timer.schedule(() -> verdict(nodeId, lostAt), EARLY_LOOK.toMillis(), TimeUnit.MILLISECONDS);
            return;
        }
        if (!back && !refused && waited < MAX_VERDICT.toNanos() && sfus.heardFromWithin(nodeId, REGISTRY_SILENCE)) {
            timer.schedule(() -> verdict(nodeId, lostAt), RECHECK.toMillis(), TimeUnit.MILLISECONDS);
            return;
        }
        Set<Movable> lost = pending.remove(nodeId);
        if (lost == null) {
            return;
        }
        if (back) {
            log.info("event=sfu_control_back node={} sessions={}", nodeId, lost.size());
            lost.forEach(Movable::resumeOnSameSfu);
            return;
        }
        sfus.markDead(nodeId);
        failOver(nodeId, lost, lostAt, refused ? "control_refused" : "control_lost");
    }

    /**
     * ADR 0030: a node whose media port has not answered a probe for {@link MediaProbe#SILENCE}
     * (while others answer) serves no client, however healthy its control connection and
     * heartbeats: its meetings move as a dead node's would. It stays out of placement until
     * its probes are answered again. A node that has not heartbeated within {@link #RUNNING}
     * either is stalled, not cut off: that is left to the control connection's verdict.
     */
    private void probeTick() {
        try {
            long now = System.nanoTime();
            Map<String, InetSocketAddress> targets = probed;
            probe.send(targets, now);
            for (String nodeId : targets.keySet()) {
                if (probe.unreachable(nodeId, now)) {
                    // A loaded host starves a process for a second at times: it answers nothing and
                    // heartbeats nothing, and moving its meetings then only adds load (ADR 0030 §2).
                    if (!mediaDown.contains(nodeId) && sfus.heardFromWithin(nodeId, RUNNING)) {
                        mediaDown.add(nodeId);
                        sfus.markMediaUnreachable(nodeId, targets.get(nodeId));
                        failOver(nodeId, Set.of(), now - MediaProbe.SILENCE.toNanos(), "media_unreachable");
                    }
                } else if (probe.answering(nodeId, now) && mediaDown.remove(nodeId)) {
                    sfus.markMediaUnreachable(nodeId, null);
                    log.info("event=sfu_media_reachable node={}", nodeId);
                }
            }
            // A node in mediaDown that left the registry stays there: it is cleared (and placeable
            // again) only when it is listed again and answers.
        } catch (RuntimeException e) {
            log.warn("event=media_probe_failed error={}", e.toString());
        }
    }

    /** Moves every meeting this node has participants of on {@code nodeId} and migrates them. */
    private void failOver(String nodeId, Set<Movable> lost, long lostAt, String cause) {
        Map<UUID, List<Movable>> byMeeting = new HashMap<>();
        for (Movable c : connections.get()) {
            if (c.isJoined() && nodeId.equals(c.sfuNodeId())) {
                byMeeting.computeIfAbsent(c.meetingId(), m -> new ArrayList<>()).add(c);
            }
        }
        for (Movable c : lost) {
            if (c.isJoined() && nodeId.equals(c.sfuNodeId())) {
                List<Movable> of = byMeeting.computeIfAbsent(c.meetingId(), m -> new ArrayList<>());
                if (!of.contains(c)) {
                    of.add(c);
                }
            }
        }
        log.warn("event=sfu_dead node={} cause={} meetings={} sessions={} after_ms={}", nodeId, cause, byMeeting.size(),
                lost.size(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lostAt));
        for (Map.Entry<UUID, List<Movable>> e : byMeeting.entrySet()) {
            Thread.ofVirtual().name("convene-migrate-" + e.getKey()).start(() -> move(e.getKey(), nodeId, e.getValue()));
        }
    }

    private void move(UUID meeting, String deadNode, List<Movable> participants) {
        Optional<String> target;
        try {
            target = sfus.moveFrom(meeting, deadNode);
        } catch (RuntimeException e) {
            log.warn("event=meeting_move_failed meeting_id={} dead={} error={}", meeting, deadNode, e.toString());
            target = Optional.empty();
        }
        for (Movable c : participants) {
            if (target.isPresent()) {
                String to = target.get();
                // Each on its own thread: one participant's slow join does not hold up the rest.
                Thread.ofVirtual().name("convene-migrate-" + meeting).start(() -> c.migrate(deadNode, to, false));
            } else {
                c.resumeOnSameSfu();
            }
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        preconnector.shutdownNow();
        if (probe != null) {
            probe.close();
        }
    }
}
