package dev.convene.tls;

import java.io.IOException;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * {@link SSLContext}s for the clients of our servers: the Java client, the control channel's
 * caller, tests. Two ways to trust a server: anchors (a CA, or the self-signed certificate
 * itself) with the JDK's full PKIX and host-name checks, or one pinned certificate, accepted by
 * its exact bytes whatever name it carries.
 */
public final class TlsContexts {

    private static final String PROTOCOL = "TLSv1.3";

    private TlsContexts() {}

    /**
     * Trusts servers whose chain leads to one of {@code anchors}, checked by the JDK (validity,
     * and the host name when the caller asks for it, as {@code java.net.http} does); presents
     * {@code identity} when the server asks for a client certificate (mutual TLS), if not null.
     */
    public static SSLContext trusting(List<X509Certificate> anchors, TlsIdentity identity) {
        Objects.requireNonNull(anchors, "anchors");
        if (anchors.isEmpty()) {
            throw new IllegalArgumentException("no certificate to trust");
        }
        try {
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trustStore(anchors));
            SSLContext context = SSLContext.getInstance(PROTOCOL);
            context.init(keyManagers(identity), trust.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot build a TLS context: " + e.getMessage(), e);
        }
    }

    /**
     * Trusts exactly one server certificate (compared byte for byte with the server's leaf), as a
     * client pinned to a self-signed development server does. The host name is not checked: the
     * pin already names the one key that may answer.
     */
    public static SSLContext pinned(X509Certificate certificate) {
        Objects.requireNonNull(certificate, "certificate");
        try {
            SSLContext context = SSLContext.getInstance(PROTOCOL);
            context.init(null, new TrustManager[] {new PinnedTrustManager(certificate)}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot build a TLS context: " + e.getMessage(), e);
        }
    }

    /** A key store of trusted certificates, for a server checking its clients' certificates. */
    public static KeyStore trustStore(List<X509Certificate> anchors) {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            for (int i = 0; i < anchors.size(); i++) {
                store.setCertificateEntry("trusted-" + i, anchors.get(i));
            }
            return store;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build a trust store: " + e.getMessage(), e);
        }
    }

    private static KeyManager[] keyManagers(TlsIdentity identity) throws GeneralSecurityException {
        if (identity == null) {
            return null;
        }
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        char[] password = "in-memory".toCharArray();
        keys.init(identity.keyStore("client", password), password);
        return keys.getKeyManagers();
    }

    /**
     * An extended trust manager, so that the JDK does not wrap it in its own host-name check
     * (which a plain {@code X509TrustManager} would get).
     */
    private static final class PinnedTrustManager extends X509ExtendedTrustManager {
        private final X509Certificate pinned;
        private final byte[] pinnedDigest;

        PinnedTrustManager(X509Certificate pinned) {
            this.pinned = pinned;
            this.pinnedDigest = digest(pinned);
        }

        private void check(X509Certificate[] chain) throws CertificateException {
            if (chain == null || chain.length == 0 || !MessageDigest.isEqual(digest(chain[0]), pinnedDigest)) {
                throw new CertificateException("the server's certificate is not the pinned one ("
                        + pinned.getSubjectX500Principal().getName() + ")");
            }
            chain[0].checkValidity();
        }

        private static byte[] digest(X509Certificate certificate) {
            try {
                return MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e instanceof CertificateEncodingException ? "unencodable certificate" : e.toString(), e);
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            check(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            check(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            check(chain);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("a pinning client trusts no clients");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            throw new CertificateException("a pinning client trusts no clients");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            throw new CertificateException("a pinning client trusts no clients");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
