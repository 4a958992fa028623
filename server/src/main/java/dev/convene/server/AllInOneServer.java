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
 * The {@code all} role: signaling, the meeting service and one SFU node in one process. Meetings,
 * participants and chat go to the PostgreSQL of its data directory ({@link LocalData}) by
 * default, to an external one when a URL is given, or to memory ({@code --ephemeral}, and the
 * end-to-end tests); live state (seats, events, presence) stays in memory unless Redis is given.
 * Used by a person trying Convene, a small team, and the end-to-end tests.
 */
public final class AllInOneServer implements RunningNode {

    private static final Logger log = LoggerFactory.getLogger(AllInOneServer.class);

    private final Backends backends;
    private final LocalData data;
    private final LocalSfuNode sfu;
    private final LeasingSfuNode leasing;
    private final SignalingServer signaling;
    private final String webUrl;
    private final ServerOptions options;

    private AllInOneServer(Backends backends, LocalData data, LocalSfuNode sfu, LeasingSfuNode leasing,
            SignalingServer signaling, String webUrl, ServerOptions options) {
        this.options = options;
        this.backends = backends;
        this.data = data;
        this.sfu = sfu;
        this.leasing = leasing;
        this.signaling = signaling;
        this.webUrl = webUrl;
    }

    /** Starts on the stores {@code options} name (in memory when none are). */
    public static AllInOneServer start(ServerOptions options) throws InterruptedException {
        return start(options, null);
    }

    /**
     * Starts with meetings and chat in {@code data}'s PostgreSQL, which this server then owns and
     * stops on {@link #close}; with {@code data} null, as {@link #start(ServerOptions)}.
     */
    public static AllInOneServer start(ServerOptions options, LocalData data) throws InterruptedException {
        Clock clock = Clock.systemUTC();
        Backends backends;
        try {
            backends = data != null ? Backends.openLocal(data.jdbcUrl(), clock) : Backends.open(options, clock);
        } catch (RuntimeException e) {
            if (data != null) {
                data.close();
            }
            throw e;
        }
        LocalSfuNode sfu = null;
        LeasingSfuNode leasing = null;
        try {
            // One registry, so /metrics shows the SFU's media meters beside signaling's.
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            sfu = LocalSfuNode.start(sfuConfig(options), registry);
            SignalingConfig signalingConfig = SignalingRoleServer.signalingConfig(options);
            // Sessions by id under leases, so a participant resumes on a new socket with its media untouched.
            leasing = new LeasingSfuNode(sfu);
            SignalingServer signaling = SignalingServer.start(signalingConfig, options.tls().edge(), backends.signalingStores(),
                    new SingleSfuDirectory(leasing, signalingConfig.region()), clock, registry);
            String url = SignalingRoleServer.webUrl(options, signaling.port());
            SignalingRoleServer.logSelfSigned(options);
            log.info("event=server_started role=all http={} media_port={} ice_tcp_port={} data_dir={}", url,
                    sfu.mediaPort(), sfu.tcpPort(), data != null ? data.directory() : "-");
            return new AllInOneServer(backends, data, sfu, leasing, signaling, url, options);
        } catch (RuntimeException | InterruptedException e) {
            if (leasing != null) {
                leasing.close();
            }
            if (sfu != null) {
                sfu.close();
            }
            backends.close();
            if (data != null) {
                data.close();
            }
            throw e;
        }
    }

    static SfuConfig sfuConfig(ServerOptions options) {
        return new SfuConfig(options.nodeId(), new InetSocketAddress(options.mediaHost(), options.mediaPort()),
                options.mediaAdvertise(), options.uplinkEstimateBps(), options.consentTimeout(),
                options.mediaTcpPort(), options.selection().maxAudioStreams(), options.selection().defaultLastN(),
                options.effectiveMediaLoops());
    }

    /** Where the web client is served. */
    public String webUrl() {
        return webUrl;
    }

    @Override
    public String banner() {
        return "Convene is running: open " + webUrl + SignalingRoleServer.selfSignedNote(options);
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

    /**
     * Stops taking requests, ends every session, then closes the media port and the stores, and
     * last stops the local PostgreSQL, once the chat store has flushed into it.
     */
    @Override
    public void close() {
        signaling.close();
        leasing.close();
        sfu.close();
        backends.close();
        if (data != null) {
            data.close();
        }
        log.info("event=server_stopped role=all");
    }
}
