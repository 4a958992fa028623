package dev.convene.server;

import dev.convene.signaling.HttpEdge;
import dev.convene.signaling.http.TrustedProxies;
import dev.convene.tls.ServerTls;
import dev.convene.tls.TlsContexts;
import dev.convene.tls.TlsIdentity;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import javax.net.ssl.SSLContext;

/**
 * TLS of a node, after the flags are read ({@code --tls}, {@code --tls-cert}/{@code --tls-key},
 * {@code --trusted-proxies}, {@code --control-tls-*}); ADR 0015.
 *
 * @param http the HTTP port's certificate; null serves plain HTTP
 * @param selfSigned the certificate generated at start for {@code --tls self-signed}, to print; else null
 * @param proxies peers whose forwarding headers are believed
 * @param control the control channel's certificate, key and cluster authority; null: plaintext
 *     control (only with {@code --control-tls off})
 */
public record TlsOptions(ServerTls http, TlsIdentity selfSigned, TrustedProxies proxies, ControlTls control) {

    public static final TlsOptions NONE = new TlsOptions(null, null, TrustedProxies.NONE, null);
    /** A generated development certificate is good for this long; a restart makes a new one anyway. */
    static final Duration SELF_SIGNED_VALIDITY = Duration.ofDays(30);

    public TlsOptions {
        Objects.requireNonNull(proxies, "proxies");
    }

    /**
     * The control channel's TLS: every node presents {@code certificate}/{@code key} and trusts
     * only certificates issued by {@code authorities} (a private CA of the cluster, or one shared
     * self-signed certificate, as the dev cluster does). Signaling nodes present it as clients
     * (mutual TLS), SFU nodes as servers.
     */
    public record ControlTls(Path certificate, Path key, Path authorities) {
        public ControlTls {
            Objects.requireNonNull(certificate, "certificate");
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(authorities, "authorities");
        }

        /** The SFU side: reloaded when the files change, client certificates required. */
        public ServerTls server() {
            return ServerTls.pemFiles(certificate, key).requiringClientCertificates(readAuthorities());
        }

        /** The signaling side: the key and authorities read once, at start. */
        public SSLContext client() {
            return TlsContexts.trusting(readAuthorities(), TlsIdentity.readPem(certificate, key));
        }

        private List<X509Certificate> readAuthorities() {
            return TlsIdentity.readCertificates(authorities);
        }

        /** Fails at start, naming the file, rather than at the first connection. */
        void check() {
            TlsIdentity.readPem(certificate, key);
            readAuthorities();
        }
    }

    public HttpEdge edge() {
        return new HttpEdge(http, proxies);
    }

    /**
     * From the flags. {@code tls} is {@code off} (the default) or {@code self-signed}; giving
     * {@code certificate} and {@code key} turns TLS on with those files. Control TLS is required
     * in the {@code sfu} and {@code signaling} roles unless {@code controlTls} is {@code off}.
     *
     * @param names host names and addresses a self-signed certificate should carry besides the local ones
     */
    public static TlsOptions parse(String tls, String certificate, String key, List<String> trustedProxies, String controlTls,
            String controlCertificate, String controlKey, String controlAuthorities, boolean needsControl,
            List<String> names, Clock clock) {
        String mode = tls == null ? "off" : tls.strip().toLowerCase(Locale.ROOT);
        if (!mode.equals("off") && !mode.equals("self-signed")) {
            throw new IllegalArgumentException("--tls is off or self-signed (or give --tls-cert and --tls-key), not '" + tls + "'");
        }
        if ((certificate == null) != (key == null)) {
            throw new IllegalArgumentException("--tls-cert and --tls-key go together");
        }
        if (certificate != null && mode.equals("self-signed")) {
            throw new IllegalArgumentException("--tls self-signed and --tls-cert exclude each other");
        }
        ServerTls http = null;
        TlsIdentity generated = null;
        if (certificate != null) {
            http = ServerTls.pemFiles(existing(certificate, "--tls-cert"), existing(key, "--tls-key"));
            http.keys().load(); // a wrong file stops the start here, with its name
        } else if (mode.equals("self-signed")) {
            generated = TlsIdentity.selfSigned(names, SELF_SIGNED_VALIDITY, clock);
            http = ServerTls.of(generated);
        }
        TrustedProxies proxies = TrustedProxies.parse(trustedProxies == null ? List.of() : trustedProxies);

        String controlMode = controlTls == null ? "on" : controlTls.strip().toLowerCase(Locale.ROOT);
        if (!controlMode.equals("on") && !controlMode.equals("off")) {
            throw new IllegalArgumentException("--control-tls is on or off, not '" + controlTls + "'");
        }
        boolean anyControlFile = controlCertificate != null || controlKey != null || controlAuthorities != null;
        ControlTls control = null;
        if (controlMode.equals("off")) {
            if (anyControlFile) {
                throw new IllegalArgumentException("--control-tls off and --control-tls-* files exclude each other");
            }
        } else if (anyControlFile || needsControl) {
            if (controlCertificate == null || controlKey == null || controlAuthorities == null) {
                throw new IllegalArgumentException("the control channel runs on mutual TLS: give --control-tls-cert, "
                        + "--control-tls-key and --control-tls-ca (the same authority on every node), "
                        + "or --control-tls off on a network you trust");
            }
            control = new ControlTls(existing(controlCertificate, "--control-tls-cert"),
                    existing(controlKey, "--control-tls-key"), existing(controlAuthorities, "--control-tls-ca"));
            control.check();
        }
        return new TlsOptions(http, generated, proxies, control);
    }

    private static Path existing(String file, String flag) {
        Path path = Path.of(file);
        if (!Files.isReadable(path)) {
            throw new IllegalArgumentException(flag + ": cannot read " + file);
        }
        return path;
    }

    /** Names for a self-signed certificate: the bind address if specific, the public URL's host. */
    static List<String> selfSignedNames(String httpHost, String publicUrl) {
        List<String> names = new ArrayList<>();
        if (httpHost != null && !httpHost.equals("0.0.0.0") && !httpHost.equals("::")) {
            names.add(httpHost);
        }
        if (publicUrl != null) {
            String host = URI.create(publicUrl).getHost();
            if (host != null) {
                names.add(host.startsWith("[") ? host.substring(1, host.length() - 1) : host);
            }
        }
        return names;
    }
}
