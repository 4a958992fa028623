package dev.convene.media.transport.dtls;

import dev.convene.media.transport.dtls.DtlsHandshakeException.Reason;
import dev.convene.media.transport.srtp.SrtpProfile;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.List;
import java.util.Optional;
import java.util.Vector;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.AlertLevel;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.CipherSuite;
import org.bouncycastle.tls.ClientCertificateType;
import org.bouncycastle.tls.ExporterLabel;
import org.bouncycastle.tls.HashAlgorithm;
import org.bouncycastle.tls.SignatureAlgorithm;
import org.bouncycastle.tls.SignatureAndHashAlgorithm;
import org.bouncycastle.tls.TlsContext;
import org.bouncycastle.tls.TlsCredentialedSigner;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.UseSRTPData;
import org.bouncycastle.tls.crypto.TlsCertificate;
import org.bouncycastle.tls.crypto.TlsCryptoParameters;
import org.bouncycastle.tls.crypto.impl.bc.BcDefaultTlsCredentialedSigner;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;

/**
 * The WebRTC-specific half of one handshake, shared by the server and client peer classes
 * (which must extend different BouncyCastle bases): SRTP profile choice, checking the peer's
 * certificate against the SDP fingerprint, our credentials, and the key export. It records
 * why a handshake failed so the endpoint can report a reason rather than an alert number.
 */
final class DtlsSrtpNegotiation {

    /** RFC 8827 §6.5 makes ECDHE-ECDSA with AES-128-GCM mandatory; Chrome picks it first. */
    static final int[] SERVER_CIPHER_SUITES = {
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    };

    /** The client also accepts a server with an RSA certificate. */
    static final int[] CLIENT_CIPHER_SUITES = {
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        CipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        CipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    };

    static String cipherSuiteName(int suite) {
        return switch (suite) {
            case CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 -> "ECDHE_ECDSA_AES_128_GCM_SHA256";
            case CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 -> "ECDHE_ECDSA_AES_256_GCM_SHA384";
            case CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 -> "ECDHE_ECDSA_CHACHA20_POLY1305_SHA256";
            case CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 -> "ECDHE_RSA_AES_128_GCM_SHA256";
            case CipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 -> "ECDHE_RSA_AES_256_GCM_SHA384";
            case CipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 -> "ECDHE_RSA_CHACHA20_POLY1305_SHA256";
            default -> String.format("0x%04X", suite);
        };
    }

    /** Certificate types the server accepts from clients: browsers use ECDSA, some stacks RSA. */
    static final short[] CLIENT_CERTIFICATE_TYPES = {ClientCertificateType.ecdsa_sign, ClientCertificateType.rsa_sign};

    private static final List<SignatureAndHashAlgorithm> PEER_SIGNATURE_ALGORITHMS = List.of(
            SignatureAndHashAlgorithm.getInstance(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa),
            SignatureAndHashAlgorithm.getInstance(HashAlgorithm.sha384, SignatureAlgorithm.ecdsa),
            SignatureAndHashAlgorithm.getInstance(HashAlgorithm.sha512, SignatureAlgorithm.ecdsa),
            SignatureAndHashAlgorithm.rsa_pss_rsae_sha256,
            SignatureAndHashAlgorithm.rsa_pss_rsae_sha384,
            SignatureAndHashAlgorithm.getInstance(HashAlgorithm.sha256, SignatureAlgorithm.rsa),
            SignatureAndHashAlgorithm.getInstance(HashAlgorithm.sha384, SignatureAlgorithm.rsa),
            SignatureAndHashAlgorithm.getInstance(HashAlgorithm.sha512, SignatureAlgorithm.rsa));

    /** Our key is P-256: SHA-256 is its natural hash, the others are legal in TLS 1.2. */
    private static final List<SignatureAndHashAlgorithm> OWN_SIGNATURE_PREFERENCE = PEER_SIGNATURE_ALGORITHMS.subList(0, 3);

    private final BcTlsCrypto crypto;
    private final DtlsCertificate certificate;
    private final List<SrtpProfile> profiles;
    private final int handshakeTimeoutMillis;
    private final LongSupplier remainingNanos;
    private final CompletableFuture<DtlsFingerprint> expectedFingerprint = new CompletableFuture<>();

    private volatile DtlsHandshakeException failure;
    private volatile SrtpProfile selectedProfile;
    private volatile byte[] peerCertificateDer;
    private volatile DtlsSrtpResult result;
    private volatile int cipherSuite = -1;
    private volatile short fatalAlertReceived = -1;
    private volatile boolean closeNotifyReceived;

    DtlsSrtpNegotiation(BcTlsCrypto crypto, DtlsCertificate certificate, DtlsConfig config, LongSupplier remainingNanos) {
        this.crypto = crypto;
        this.certificate = certificate;
        this.profiles = config.srtpProfiles();
        this.handshakeTimeoutMillis = (int) config.handshakeTimeout().toMillis();
        this.remainingNanos = remainingNanos;
    }

    BcTlsCrypto crypto() {
        return crypto;
    }

    int handshakeTimeoutMillis() {
        return handshakeTimeoutMillis;
    }

    // ---- SRTP profile (RFC 5764 §4.1.1) ----

    UseSRTPData offer() {
        return new UseSRTPData(profiles.stream().mapToInt(SrtpProfile::id).toArray(), new byte[0]);
    }

    /** Server: the first of our profiles that the client offered. */
    SrtpProfile chooseForServer(UseSRTPData offered) throws TlsFatalAlert {
        if (offered == null) {
            throw fail(Reason.NO_SRTP_PROFILE, AlertDescription.handshake_failure, "client did not offer use_srtp");
        }
        Optional<SrtpProfile> choice = select(profiles, offered.getProtectionProfiles());
        if (choice.isEmpty()) {
            throw fail(Reason.NO_SRTP_PROFILE, AlertDescription.handshake_failure,
                    "no common SRTP profile: client offered " + describe(offered.getProtectionProfiles())
                            + ", we accept " + profiles);
        }
        selectedProfile = choice.get();
        return selectedProfile;
    }

    /** Client: the server must have chosen exactly one profile, one we offered. */
    SrtpProfile acceptFromServer(UseSRTPData chosen) throws TlsFatalAlert {
        if (chosen == null) {
            throw fail(Reason.NO_SRTP_PROFILE, AlertDescription.handshake_failure, "server did not answer use_srtp");
        }
        int[] ids = chosen.getProtectionProfiles();
        Optional<SrtpProfile> profile = ids.length == 1 ? select(profiles, ids) : Optional.empty();
        if (profile.isEmpty()) {
            throw fail(Reason.NO_SRTP_PROFILE, AlertDescription.illegal_parameter,
                    "server chose SRTP profile " + describe(ids) + " but we offered " + profiles);
        }
        selectedProfile = profile.get();
        return selectedProfile;
    }

    /** The first of {@code preference} whose id is in {@code offeredIds}. */
    static Optional<SrtpProfile> select(List<SrtpProfile> preference, int[] offeredIds) {
        for (SrtpProfile p : preference) {
            for (int id : offeredIds) {
                if (p.id() == id) {
                    return Optional.of(p);
                }
            }
        }
        return Optional.empty();
    }

    private static String describe(int[] ids) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < ids.length; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            int id = ids[i];
            sb.append(SrtpProfile.fromId(id).map(Enum::name).orElse(String.format("0x%04x", id)));
        }
        return sb.append(']').toString();
    }

    // ---- Certificates ----

    static Vector<SignatureAndHashAlgorithm> peerSignatureAlgorithms(BcTlsCrypto crypto) {
        Vector<SignatureAndHashAlgorithm> algorithms = new Vector<>();
        for (SignatureAndHashAlgorithm a : PEER_SIGNATURE_ALGORITHMS) {
            if (crypto.hasSignatureAndHashAlgorithm(a)) {
                algorithms.add(a);
            }
        }
        return algorithms;
    }

    /** Our certificate and key, signing with an ECDSA algorithm the peer listed (or SHA-1 if it listed none, RFC 5246 §7.4.1.4.1). */
    TlsCredentialedSigner signer(TlsContext context, Vector<?> peerAlgorithms) throws IOException {
        SignatureAndHashAlgorithm chosen = null;
        if (peerAlgorithms == null) {
            chosen = SignatureAndHashAlgorithm.getInstance(HashAlgorithm.sha1, SignatureAlgorithm.ecdsa);
        } else {
            for (SignatureAndHashAlgorithm a : OWN_SIGNATURE_PREFERENCE) {
                if (peerAlgorithms.contains(a)) {
                    chosen = a;
                    break;
                }
            }
        }
        if (chosen == null) {
            throw fail(Reason.PROTOCOL_ERROR, AlertDescription.handshake_failure,
                    "peer accepts no ECDSA signature algorithm we can sign with: " + peerAlgorithms);
        }
        TlsCertificate tlsCertificate = crypto.createCertificate(certificate.derUnsafe());
        return new BcDefaultTlsCredentialedSigner(new TlsCryptoParameters(context), crypto,
                certificate.privateKey(), new Certificate(new TlsCertificate[] {tlsCertificate}), chosen);
    }

    void setExpectedFingerprint(DtlsFingerprint fingerprint) {
        if (!expectedFingerprint.complete(fingerprint)) {
            DtlsFingerprint existing = expectedFingerprint.getNow(null);
            if (existing != null && !existing.equals(fingerprint)) {
                throw new IllegalStateException("the remote fingerprint is already set to " + existing
                        + "; a new fingerprint needs a new DTLS association");
            }
        }
    }

    /** Wakes a handshake that waits for a fingerprint, so that closing does not wait for the deadline. */
    void cancel() {
        expectedFingerprint.completeExceptionally(new InterruptedIOException("DTLS endpoint closed"));
    }

    /**
     * Checks the peer's end-entity certificate against the SDP fingerprint, waiting for the
     * fingerprint (until the handshake deadline) if signaling has not delivered it yet.
     * Possession of the key is proven afterwards by BouncyCastle (CertificateVerify or the
     * ServerKeyExchange signature).
     */
    void verifyPeerCertificate(Certificate chain) throws IOException {
        if (chain == null || chain.isEmpty()) {
            throw fail(Reason.NO_PEER_CERTIFICATE, AlertDescription.handshake_failure, "peer sent no certificate");
        }
        byte[] der = chain.getCertificateAt(0).getEncoded();
        DtlsFingerprint expected = awaitExpectedFingerprint();
        if (!expected.matches(der)) {
            throw fail(Reason.FINGERPRINT_MISMATCH, AlertDescription.bad_certificate,
                    "peer certificate fingerprint " + DtlsFingerprint.of(expected.algorithm(), der).toSdpValue()
                            + " does not match the SDP fingerprint " + expected.toSdpValue());
        }
        peerCertificateDer = der;
    }

    private DtlsFingerprint awaitExpectedFingerprint() throws IOException {
        DtlsFingerprint now = expectedFingerprint.getNow(null);
        if (now != null) {
            return now;
        }
        try {
            return expectedFingerprint.get(Math.max(0, remainingNanos.getAsLong()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw fail(Reason.FINGERPRINT_MISSING, AlertDescription.internal_error,
                    "no SDP fingerprint was set within the " + handshakeTimeoutMillis + " ms handshake timeout");
        } catch (ExecutionException e) {
            throw new InterruptedIOException("DTLS endpoint closed while waiting for the SDP fingerprint");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the SDP fingerprint");
        }
    }

    // ---- Completion ----

    /** Exports the SRTP keying material; called from the peer's notifyHandshakeComplete. */
    void handshakeComplete(TlsContext context) throws IOException {
        SrtpProfile profile = selectedProfile;
        byte[] peer = peerCertificateDer;
        if (profile == null || peer == null) {
            throw fail(Reason.PROTOCOL_ERROR, AlertDescription.internal_error,
                    "handshake finished without " + (profile == null ? "an SRTP profile" : "a verified peer certificate"));
        }
        cipherSuite = context.getSecurityParametersConnection().getCipherSuite();
        byte[] material = context.exportKeyingMaterial(ExporterLabel.dtls_srtp, null, profile.keyingMaterialLength());
        result = new DtlsSrtpResult(profile, material, context.isServer(), peer);
    }

    DtlsSrtpResult result() {
        return result;
    }

    int cipherSuite() {
        return cipherSuite;
    }

    // ---- Alerts and failures ----

    void alertReceived(short level, short description) {
        if (level == AlertLevel.fatal) {
            fatalAlertReceived = description;
        } else if (description == AlertDescription.close_notify) {
            closeNotifyReceived = true;
        }
    }

    short fatalAlertReceived() {
        return fatalAlertReceived;
    }

    boolean closeNotifyReceived() {
        return closeNotifyReceived;
    }

    DtlsHandshakeException failure() {
        return failure;
    }

    private TlsFatalAlert fail(Reason reason, short alert, String message) {
        DtlsHandshakeException e = new DtlsHandshakeException(reason, message);
        if (failure == null) {
            failure = e;
        }
        return new TlsFatalAlert(alert, message);
    }
}
