package dev.convene.server;

import dev.convene.control.ControlKey;
import dev.convene.control.SfuControlConfig;
import dev.convene.control.SfuControlServer;
import dev.convene.sfu.room.LocalSfuNode;
import dev.convene.store.SfuNodeInfo;
import dev.convene.store.SfuRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code sfu} role: one SFU node, its control endpoint for signaling nodes, and its
 * heartbeat in the SFU registry (every second, with its load), so placement can find it and
 * signaling nodes notice when it is gone.
 */
public final class SfuRoleServer implements RunningNode {

    private static final Logger log = LoggerFactory.getLogger(SfuRoleServer.class);

    private final Backends backends;
    private final LocalSfuNode sfu;
    private final SfuControlServer control;
    private final ScheduledExecutorService heartbeat;
    private final String controlUrl;

    private SfuRoleServer(Backends backends, LocalSfuNode sfu, SfuControlServer control,
            ScheduledExecutorService heartbeat, String controlUrl) {
        this.backends = backends;
        this.sfu = sfu;
        this.control = control;
        this.heartbeat = heartbeat;
        this.controlUrl = controlUrl;
    }

    public static SfuRoleServer start(ServerOptions options) throws InterruptedException {
        Clock clock = Clock.systemUTC();
        Backends backends = Backends.open(options, clock);
        LocalSfuNode sfu = null;
        SfuControlServer control = null;
        try {
            if (!backends.shared()) {
                throw new IllegalArgumentException("--role sfu needs --redis-url: the node registers itself there");
            }
            PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            sfu = LocalSfuNode.start(AllInOneServer.sfuConfig(options), meters);
            // The node's media metrics are served at /metrics of its (internal) control port.
            control = SfuControlServer.start(sfu, SfuControlConfig.of(options.controlHost(), options.controlPort(),
                    options.controlKeys().stream().map(k -> new ControlKey(k.kid(), k.secret())).toList())
                    // Signaling's grace decides; the SFU keeps orphaned sessions a little longer (ADR 0017).
                    .withOrphanLease(options.resumeGrace().plusSeconds(5)),
                    Clock.systemUTC(), meters::scrape);
            String controlUrl = control.url(options.controlAdvertise()).toString();
            String mediaAddress = sfu.candidates().getFirst().address() + ":" + sfu.mediaPort();
            SfuRegistry registry = backends.registry();
            LocalSfuNode node = sfu;
            ScheduledExecutorService heartbeat = Executors.newSingleThreadScheduledExecutor(
                    Thread.ofPlatform().name("sfu-heartbeat").daemon().factory());
            heartbeat.scheduleAtFixedRate(() -> {
                try {
                    registry.heartbeat(new SfuNodeInfo(options.nodeId(), controlUrl, mediaAddress, options.region(),
                            node.participantCount(), 0, cpuLoad(), false, clock.instant()));
                } catch (RuntimeException e) {
                    log.warn("event=sfu_heartbeat_failed node={} error=\"{}\"", options.nodeId(), e.getMessage());
                }
            }, 0, SfuRegistry.HEARTBEAT_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
            log.info("event=server_started role=sfu node={} control={} media={} region={}", options.nodeId(), controlUrl,
                    mediaAddress, options.region());
            return new SfuRoleServer(backends, sfu, control, heartbeat, controlUrl);
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

    /** Leaves the registry first, so no new meeting is placed here, then ends sessions and ports. */
    @Override
    public void close() {
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
