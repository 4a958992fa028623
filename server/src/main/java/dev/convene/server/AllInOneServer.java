package dev.convene.server;

import dev.convene.sfu.SfuConfig;
import dev.convene.sfu.room.LocalSfuNode;
import dev.convene.signaling.SignalingConfig;
import dev.convene.signaling.SignalingServer;
import dev.convene.signaling.SignalingStores;
import java.net.InetSocketAddress;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code all} role: signaling, the meeting service on in-memory stores, and one SFU node in
 * one process. Used by a person trying Convene, a small team, and the end-to-end tests.
 */
public final class AllInOneServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AllInOneServer.class);

    private final LocalSfuNode sfu;
    private final SignalingServer signaling;
    private final String webUrl;

    private AllInOneServer(LocalSfuNode sfu, SignalingServer signaling, String webUrl) {
        this.sfu = sfu;
        this.signaling = signaling;
        this.webUrl = webUrl;
    }

    public static AllInOneServer start(ServerOptions options) throws InterruptedException {
        LocalSfuNode sfu = LocalSfuNode.start(new SfuConfig(options.nodeId(),
                new InetSocketAddress(options.mediaHost(), options.mediaPort()), options.mediaAdvertise(),
                options.uplinkEstimateBps()));
        try {
            SignalingConfig config = SignalingConfig.defaults(options.jwtKeys().stream()
                            .map(k -> new SignalingConfig.JwtKey(k.kid(), k.secret()))
                            .toList())
                    .withBind(options.httpHost(), options.httpPort())
                    .withGuestAuth(options.guestAuth());
            if (options.publicUrl() != null) {
                config = config.withPublicBaseUrl(options.publicUrl());
            }
            SignalingServer signaling = SignalingServer.start(config, SignalingStores.inMemory(), sfu, Clock.systemUTC());
            String host = options.httpHost().equals("0.0.0.0") ? "localhost" : options.httpHost();
            String url = options.publicUrl() != null ? options.publicUrl() : "http://" + host + ":" + signaling.port();
            log.info("event=server_started role=all http={} media_port={}", url, sfu.mediaPort());
            return new AllInOneServer(sfu, signaling, url);
        } catch (RuntimeException e) {
            sfu.close();
            throw e;
        }
    }

    /** Where the web client is served. */
    public String webUrl() {
        return webUrl;
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

    /** Stops taking requests, ends every session, then closes the media port. */
    @Override
    public void close() {
        signaling.close();
        sfu.close();
        log.info("event=server_stopped role=all");
    }
}
