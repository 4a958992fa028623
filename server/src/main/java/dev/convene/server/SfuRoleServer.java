package dev.convene.server;

import dev.convene.control.ControlKey;
import dev.convene.control.SfuControlConfig;
import dev.convene.control.SfuControlServer;
import dev.convene.sfu.room.LocalSfuNode;
import dev.convene.store.MeetingPlacement;
import dev.convene.store.SfuNodeInfo;
import dev.convene.store.SfuRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code sfu} role: one SFU node, its control endpoint for signaling nodes, and its
 * heartbeat in the SFU registry (every second, with its load), so placement can find it and
 * signaling nodes notice when it is gone.
 */
public final class SfuRoleServer implements RunningNode {

    private static final Logger log = LoggerFactory.getLogger(SfuRoleServer.class);
    private static final Duration DRAIN_POLL = Duration.ofMillis(500);
    /** In-memory handshakes at start: past about this many a handshake costs what a warm one does (ADR 0029). */
    static final int DTLS_WARM_UP_HANDSHAKES = 20;

    private final Backends backends;
    private final LocalSfuNode sfu;
    private final SfuControlServer control;
    private final ScheduledExecutorService heartbeat;
    private final String controlUrl;
    private final Duration drainTimeout;
    private final AtomicBoolean draining;

    private SfuRoleServer(Backends backends, LocalSfuNode sfu, SfuControlServer control,
            ScheduledExecutorService heartbeat, String controlUrl, Duration drainTimeout, AtomicBoolean draining) {
        this.backends = backends;
        this.sfu = sfu;
        this.control = control;
        this.heartbeat = heartbeat;
        this.controlUrl = controlUrl;
        this.drainTimeout = drainTimeout;
        this.draining = draining;
    }

    public static SfuRoleServer start(ServerOptions options) throws InterruptedException {
        return start(options, Duration.ZERO);
    }

    /**
     * @param drainTimeout how long {@link #close} waits for the node's participants to leave while
     *     it takes no new meetings; zero stops at once
     */
    public static SfuRoleServer start(ServerOptions options, Duration drainTimeout) throws InterruptedException {
        Clock clock = Clock.systemUTC();
        AtomicBoolean draining = new AtomicBoolean();
        Backends backends = Backends.open(options, clock);
        LocalSfuNode sfu = null;
        SfuControlServer control = null;
        try {
            if (!backends.shared()) {
                throw new IllegalArgumentException("--role sfu needs --redis-url: the node registers itself there");
            }
            PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            new io.micrometer.core.instrument.binder.system.ProcessorMetrics().bindTo(meters);
            new io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics().bindTo(meters);
            sfu = LocalSfuNode.start(AllInOneServer.sfuConfig(options), meters);
            // A fleet node may take over a failed node's clients all at once (ADR 0029).
            sfu.warmDtls(DTLS_WARM_UP_HANDSHAKES);
            // The node's media metrics are served at /metrics of its (internal) control port.
            SfuControlConfig controlConfig = SfuControlConfig.of(options.controlHost(), options.controlPort(),
                    options.controlKeys().stream().map(k -> new ControlKey(k.kid(), k.secret())).toList())
                    // Signaling's grace decides; the SFU keeps orphaned sessions a little longer (ADR 0017).
                    .withOrphanLease(options.resumeGrace().plusSeconds(5));
            if (options.tls().control() != null) {
                controlConfig = controlConfig.withTls(options.tls().control().server());
            } else {
                log.warn("event=control_plaintext role=sfu note=\"--control-tls off: control traffic is readable on the network\"");
            }
            control = SfuControlServer.start(sfu, controlConfig, Clock.systemUTC(), meters::scrape, () -> !draining.get());
            SfuControlServer served = control;
            for (String cause : SfuControlServer.refusalCauses()) {
                io.micrometer.core.instrument.FunctionCounter.builder("convene_control_refused", served, c -> c.refused(cause))
                        .description("Control connections refused, by cause (plaintext, certificate, other, token)")
                        .tag("cause", cause).register(meters);
            }
            String controlUrl = control.url(options.controlAdvertise()).toString();
            String mediaAddress = sfu.candidates().getFirst().address() + ":" + sfu.mediaPort();
            SfuRegistry registry = backends.registry();
            LocalSfuNode node = sfu;
            ScheduledExecutorService heartbeat = Executors.newSingleThreadScheduledExecutor(
                    Thread.ofPlatform().name("sfu-heartbeat").daemon().factory());
            MeetingPlacement placement = backends.placement();
            SfuControlServer sessionsHere = control;
            StaleNodeFence fence = new StaleNodeFence(options.nodeId(), registry.deadAfter(), System.nanoTime());
            heartbeat.scheduleAtFixedRate(() -> {
                try {
                    List<String> meetings = node.meetingIds();
                    meetings = fence.beforeHeartbeat(System.nanoTime(), meetings, placement,
                            sessionsHere::endDetachedSessions);
                    boolean anew = registry.heartbeat(new SfuNodeInfo(options.nodeId(), controlUrl, mediaAddress,
                            options.region(), node.participantCount(), 0, cpuLoad(), draining.get(), clock.instant(),
                            Set.copyOf(meetings)));
                    fence.beat(System.nanoTime());
                    if (anew && !meetings.isEmpty()) {
                        restorePlacements(placement, options.nodeId(), meetings);
                    }
                } catch (RuntimeException e) {
                    log.warn("event=sfu_heartbeat_failed node={} error=\"{}\"", options.nodeId(), e.getMessage());
                }
            }, 0, SfuRegistry.HEARTBEAT_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
            log.info("event=server_started role=sfu node={} control={} media={} region={}", options.nodeId(), controlUrl,
                    mediaAddress, options.region());
            return new SfuRoleServer(backends, sfu, control, heartbeat, controlUrl, drainTimeout, draining);
        } catch (RuntimeException | InterruptedException e) {
            if (control != null) {
                control.close();
            }
            if (sfu != null) {
                sfu.close();
            }
            backends.close();
            throw e;
        }
    }

    /**
     * The registry had forgotten this node while it hosts meetings: Redis lost its data (ADR 0020).
     * Writes back each meeting's placement unless someone placed it meanwhile; a placement that
     * names another node is left alone (a split is failover's to settle, not a heartbeat's).
     */
    static void restorePlacements(MeetingPlacement placement, String nodeId, List<String> meetings) {
        int restored = 0;
        int elsewhere = 0;
        for (String meeting : meetings) {
            UUID id;
            try {
                id = UUID.fromString(meeting);
            } catch (IllegalArgumentException e) {
                continue; // Not a Convene meeting id (a test's room): nothing to place.
            }
            if (placement.assignIfAbsent(id, nodeId).equals(nodeId)) {
                restored++;
            } else {
                elsewhere++;
                log.warn("event=placement_conflict meeting_id={} sfu_node_id={} note=\"placed on another node\"", id,
                        nodeId);
            }
        }
        log.info("event=sfu_registered_anew node={} meetings={} placements_held={} placed_elsewhere={}", nodeId,
                meetings.size(), restored, elsewhere);
    }

    private void drain() {
        if (drainTimeout.isZero() || draining.getAndSet(true)) {
            return;
        }
        long start = System.nanoTime();
        long deadline = start + drainTimeout.toNanos();
        int atStart = sfu.participantCount();
        log.info("event=sfu_drain_started node={} participants={} timeout_s={}", sfu.nodeId(), atStart,
                drainTimeout.toSeconds());
        // Shutdown is the one place a thread may wait on wall time: nothing else is left to do.
        while (sfu.participantCount() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(DRAIN_POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        log.info("event=sfu_drain_finished node={} participants_at_start={} participants_left_behind={} waited_ms={}",
                sfu.nodeId(), atStart, sfu.participantCount(), (System.nanoTime() - start) / 1_000_000);
    }

    private static double cpuLoad() {
        java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        double load = os.getSystemLoadAverage();
        return load < 0 ? 0 : load / os.getAvailableProcessors();
    }

    public LocalSfuNode sfu() {
        return sfu;
    }

    @Override
    public String banner() {
        return "Convene SFU " + sfu.nodeId() + " is running: control " + controlUrl + ", media UDP " + sfu.mediaPort()
                + (sfu.tcpPort() > 0 ? ", ICE-TCP " + sfu.tcpPort() : "");
    }

    /**
     * Drains (if a drain timeout is set): the registry and {@code /readyz} say the node takes no
     * new meetings, while the meetings on it go on until their participants have left or the
     * timeout has passed. Then leaves the registry, so nothing is placed here, and ends sessions
     * and ports.
     */
    @Override
    public void close() {
        drain();
        heartbeat.shutdownNow();
        try {
            backends.registry().remove(sfu.nodeId());
        } catch (RuntimeException e) {
            log.warn("event=sfu_deregister_failed node={} error=\"{}\"", sfu.nodeId(), e.getMessage());
        }
        control.close();
        sfu.close();
        backends.close();
        log.info("event=server_stopped role=sfu");
    }
}
