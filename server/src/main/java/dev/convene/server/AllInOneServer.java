package dev.convene.server;

import dev.convene.sfu.SfuConfig;
import dev.convene.sfu.lease.LeasingSfuNode;
import dev.convene.sfu.room.LocalSfuNode;
import dev.convene.signaling.SignalingConfig;
import dev.convene.signaling.SignalingServer;
import dev.convene.signaling.placement.SingleSfuDirectory;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code all} role: signaling, the meeting service and one SFU node in one process, on
 * in-memory stores unless PostgreSQL/Redis URLs are given. Used by a person trying Convene, a
 * small team, and the end-to-end tests.
 */
public final class AllInOneServer implements RunningNode {

    private static final Logger log = LoggerFactory.getLogger(AllInOneServer.class);

    private final Backends backends;
    private final LocalSfuNode sfu;
    private final LeasingSfuNode leasing;
    private final SignalingServer signaling;
    private final String webUrl;

    private AllInOneServer(Backends backends, LocalSfuNode sfu, LeasingSfuNode leasing, SignalingServer signaling,
            String webUrl) {
        this.backends = backends;
        this.sfu = sfu;
        this.leasing = leasing;
        this.signaling = signaling;
        this.webUrl = webUrl;
    }

    public static AllInOneServer start(ServerOptions options) throws InterruptedException {
        Clock clock = Clock.systemUTC();
        Backends backends = Backends.open(options, clock);
        LocalSfuNode sfu = null;
        LeasingSfuNode leasing = null;
        try {
            // One registry, so /metrics shows the SFU's media meters beside signaling's.
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            sfu = LocalSfuNode.start(sfuConfig(options), registry);
            SignalingConfig signalingConfig = SignalingRoleServer.signalingConfig(options);
            // Sessions by id under leases, so a participant resumes on a new socket with its media untouched.
            leasing = new LeasingSfuNode(sfu);
            SignalingServer signaling = SignalingServer.start(signalingConfig, backends.signalingStores(),
                    new SingleSfuDirectory(leasing, signalingConfig.region()), clock, registry);
            String url = SignalingRoleServer.webUrl(options, signaling.port());
            log.info("event=server_started role=all http={} media_port={} ice_tcp_port={}", url, sfu.mediaPort(),
                    sfu.tcpPort());
            return new AllInOneServer(backends, sfu, leasing, signaling, url);
        } catch (RuntimeException | InterruptedException e) {
            if (leasing != null) {
                leasing.close();
            }
            if (sfu != null) {
                sfu.close();
            }
            backends.close();
            throw e;
        }
    }

    static SfuConfig sfuConfig(ServerOptions options) {
        return new SfuConfig(options.nodeId(), new InetSocketAddress(options.mediaHost(), options.mediaPort()),
                options.mediaAdvertise(), options.uplinkEstimateBps(), options.consentTimeout(),
                options.mediaTcpPort());
    }

    /** Where the web client is served. */
    public String webUrl() {
        return webUrl;
    }

    @Override
    public String banner() {
        return "Convene is running: open " + webUrl;
    }

    public int httpPort() {
        return signaling.port();
    }

    public LocalSfuNode sfu() {
        return sfu;
    }

    public SignalingServer signaling() {
        return signaling;
    }

    /** The stores the node runs on; for tests that look at seats and the heap. */
    dev.convene.signaling.SignalingStores stores() {
        return backends.signalingStores();
    }

    /** Stops taking requests, ends every session, then closes the media port and the stores. */
    @Override
    public void close() {
        signaling.close();
        leasing.close();
        sfu.close();
        backends.close();
        log.info("event=server_stopped role=all");
    }
}
