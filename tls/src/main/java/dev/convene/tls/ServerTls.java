package dev.convene.tls;

import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/**
 * How a server listens with TLS: where its certificate and key come from, and, for mutual TLS,
 * which authorities its clients' certificates must chain to.
 *
 * @param keys PEM files (watched and reloaded when they change) or an identity held in memory
 * @param clientAuthorities empty: clients are not asked for a certificate; otherwise a client
 *     must present one issued by (or equal to) one of these, or its handshake is refused
 */
public record ServerTls(Keys keys, List<X509Certificate> clientAuthorities) {

    /** Where the server's certificate and key come from. */
    public sealed interface Keys {
        /** What to present now; for files, read them now. */
        TlsIdentity load();

        /** Operator-provided PEM files, read at start and again whenever their bytes change. */
        record PemFiles(Path certificate, Path key) implements Keys {
            public PemFiles {
                Objects.requireNonNull(certificate, "certificate");
                Objects.requireNonNull(key, "key");
            }

            @Override
            public TlsIdentity load() {
                return TlsIdentity.readPem(certificate, key);
            }
        }

        /** A certificate made at start (self-signed development servers, tests). */
        record InMemory(TlsIdentity identity) implements Keys {
            public InMemory {
                Objects.requireNonNull(identity, "identity");
            }

            @Override
            public TlsIdentity load() {
                return identity;
            }
        }
    }

    public ServerTls {
        Objects.requireNonNull(keys, "keys");
        clientAuthorities = List.copyOf(Objects.requireNonNull(clientAuthorities, "clientAuthorities"));
    }

    public static ServerTls pemFiles(Path certificate, Path key) {
        return new ServerTls(new Keys.PemFiles(certificate, key), List.of());
    }

    public static ServerTls of(TlsIdentity identity) {
        return new ServerTls(new Keys.InMemory(identity), List.of());
    }

    /** The same keys, with clients required to present a certificate from {@code authorities}. */
    public ServerTls requiringClientCertificates(List<X509Certificate> authorities) {
        if (authorities.isEmpty()) {
            throw new IllegalArgumentException("mutual TLS needs at least one client authority");
        }
        return new ServerTls(keys, authorities);
    }

    public boolean mutual() {
        return !clientAuthorities.isEmpty();
    }
}
