package dev.convene.tls;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLEngine;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.io.ssl.SslHandshakeListener;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TLS for one Jetty listener: builds its connector, swaps in a new certificate when the PEM files
 * change on disk (checked every {@code reloadCheck}; a renewal by certbot or a rotated Kubernetes
 * secret is picked up without a restart, and a half-written or broken file keeps the old
 * certificate in use), and counts the handshakes it refuses by cause.
 */
public final class JettyTls implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(JettyTls.class);
    /** The key store only lives in memory; its password protects nothing and only satisfies the API. */
    private static final String STORE_PASSWORD = "in-memory";
    public static final Duration DEFAULT_RELOAD_CHECK = Duration.ofSeconds(10);

    /** Why a handshake was refused. */
    public enum Refusal {
        /** The peer spoke plain HTTP/WebSocket to the TLS port. */
        PLAINTEXT,
        /** The peer's certificate was missing, untrusted or invalid (mutual TLS). */
        CERTIFICATE,
        /** Anything else: no common cipher or version, a reset, a timeout. */
        OTHER;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Told of each refused handshake, on Jetty's thread: count and log, nothing slow. */
    @FunctionalInterface
    public interface RefusalListener {
        void refused(Refusal cause, String remote, String detail);
    }

    private final String name;
    private final ServerTls config;
    private final SslContextFactory.Server factory;
    private final Map<Refusal, AtomicLong> refusals = new EnumMap<>(Refusal.class);
    private final RefusalListener listener;
    private final ScheduledExecutorService watcher;
    private volatile TlsIdentity current;
    private byte[] fileDigest;

    private JettyTls(String name, ServerTls config, RefusalListener listener, Duration reloadCheck) {
        this.name = name;
        this.config = config;
        this.listener = listener;
        for (Refusal r : Refusal.values()) {
            refusals.put(r, new AtomicLong());
        }
        this.current = config.keys().load();
        this.fileDigest = filesDigest();
        this.factory = new SslContextFactory.Server();
        factory.setKeyStore(current.keyStore("server", STORE_PASSWORD.toCharArray()));
        factory.setKeyStorePassword(STORE_PASSWORD);
        factory.setKeyManagerPassword(STORE_PASSWORD);
        if (config.mutual()) {
            factory.setTrustStore(TlsContexts.trustStore(config.clientAuthorities()));
            factory.setTrustStorePassword(STORE_PASSWORD);
            factory.setNeedClientAuth(true);
        }
        if (config.keys() instanceof ServerTls.Keys.PemFiles && reloadCheck != null) {
            watcher = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("tls-reload-" + name).daemon().factory());
            long millis = reloadCheck.toMillis();
            watcher.scheduleWithFixedDelay(this::reloadIfChanged, millis, millis, TimeUnit.MILLISECONDS);
        } else {
            watcher = null;
        }
    }

    /**
     * Loads the certificate now (a bad file fails here, at start) and, for PEM files, watches them.
     *
     * @param name names the listener in logs ({@code http}, {@code control})
     * @param reloadCheck how often the files are compared with what is loaded; null: never (tests call
     *     {@link #reloadIfChanged()})
     */
    public static JettyTls start(String name, ServerTls config, RefusalListener listener, Duration reloadCheck) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(listener, "listener");
        JettyTls tls = new JettyTls(name, config, listener, reloadCheck);
        log.info("event=tls_loaded listener={} subject=\"{}\" sha256={} not_after={} client_certificates={}", name,
                tls.current.certificate().getSubjectX500Principal().getName(), tls.current.sha256Fingerprint(),
                tls.current.certificate().getNotAfter().toInstant(), config.mutual() ? "required" : "not_asked");
        return tls;
    }

    /**
     * A connector speaking TLS then HTTP/1.1 (WebSocket upgrades included). HSTS is the caller's
     * to send: it also applies behind a trusted TLS proxy, which this connector cannot see.
     */
    public ServerConnector connector(Server server, HttpConfiguration http) {
        // Clients reach us by names and addresses the certificate may not list (a LAN address of a
        // development machine); the certificate check is the client's, not a reason for a 400 here.
        SecureRequestCustomizer secure = new SecureRequestCustomizer(false, false, -1, false);
        http.addCustomizer(secure);
        ServerConnector connector = new ServerConnector(server,
                new SslConnectionFactory(factory, HttpVersion.HTTP_1_1.asString()), new HttpConnectionFactory(http));
        connector.addBean(new SslHandshakeListener() {
            @Override
            public void handshakeFailed(Event event, Throwable failure) {
                refused(event, failure);
            }
        });
        return connector;
    }

    private void refused(SslHandshakeListener.Event event, Throwable failure) {
        Refusal cause = classify(failure);
        refusals.get(cause).incrementAndGet();
        String remote = remote(event);
        String detail = String.valueOf(failure.getMessage());
        try {
            listener.refused(cause, remote, detail.length() > 160 ? detail.substring(0, 160) : detail);
        } catch (RuntimeException e) {
            log.warn("event=tls_refusal_listener_failed listener={} error={}", name, e.toString());
        }
    }

    static Refusal classify(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            String m = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
            if (m.contains("plaintext") || m.contains("unrecognized ssl message") || m.contains("unsupported or unrecognized")) {
                return Refusal.PLAINTEXT;
            }
            if (m.contains("certificate") || m.contains("pkix") || m.contains("certpath")) {
                return Refusal.CERTIFICATE;
            }
        }
        return Refusal.OTHER;
    }

    private static String remote(SslHandshakeListener.Event event) {
        try {
            SocketAddress address = event.getEndPoint() == null ? null : event.getEndPoint().getRemoteSocketAddress();
            if (address instanceof InetSocketAddress inet) {
                return inet.getAddress().getHostAddress() + ":" + inet.getPort();
            }
            SSLEngine engine = event.getSSLEngine();
            return engine.getPeerHost() + ":" + engine.getPeerPort();
        } catch (RuntimeException e) {
            return "unknown";
        }
    }

    /** Handshakes refused for {@code cause} since start. */
    public long refused(Refusal cause) {
        return refusals.get(cause).get();
    }

    /** The certificate presented now. */
    public TlsIdentity current() {
        return current;
    }

    /**
     * Reads the PEM files again if their bytes changed and presents the new certificate to the
     * next handshakes (open connections keep theirs). A file that does not parse, or a key that
     * does not match, is logged and the old certificate stays.
     *
     * @return whether a new certificate is now in use
     */
    public synchronized boolean reloadIfChanged() {
        if (!(config.keys() instanceof ServerTls.Keys.PemFiles)) {
            return false;
        }
        byte[] digest = filesDigest();
        if (digest == null || MessageDigest.isEqual(digest, fileDigest)) {
            return false;
        }
        TlsIdentity next;
        try {
            next = config.keys().load();
        } catch (IllegalArgumentException e) {
            log.warn("event=tls_reload_failed listener={} error=\"{}\" kept_sha256={}", name, e.getMessage(),
                    current.sha256Fingerprint());
            return false;
        }
        try {
            factory.reload(f -> f.setKeyStore(next.keyStore("server", STORE_PASSWORD.toCharArray())));
        } catch (Exception e) {
            log.warn("event=tls_reload_failed listener={} error=\"{}\" kept_sha256={}", name, e.getMessage(),
                    current.sha256Fingerprint());
            return false;
        }
        fileDigest = digest;
        current = next;
        log.info("event=tls_reloaded listener={} subject=\"{}\" sha256={} not_after={}", name,
                next.certificate().getSubjectX500Principal().getName(), next.sha256Fingerprint(),
                next.certificate().getNotAfter().toInstant());
        return true;
    }

    private byte[] filesDigest() {
        if (!(config.keys() instanceof ServerTls.Keys.PemFiles files)) {
            return null;
        }
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(java.nio.file.Files.readAllBytes(files.certificate()));
            sha.update((byte) 0);
            sha.update(java.nio.file.Files.readAllBytes(files.key()));
            return sha.digest();
        } catch (java.io.IOException e) {
            log.warn("event=tls_files_unreadable listener={} error=\"{}\"", name, e.getMessage());
            return null;
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        if (watcher != null) {
            watcher.shutdownNow();
        }
    }
}
