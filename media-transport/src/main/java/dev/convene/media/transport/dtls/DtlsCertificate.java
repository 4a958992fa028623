package dev.convene.media.transport.dtls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.generators.ECKeyPairGenerator;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.ECKeyGenerationParameters;
import org.bouncycastle.crypto.params.ECNamedDomainParameters;
import org.bouncycastle.crypto.util.SubjectPublicKeyInfoFactory;
import org.bouncycastle.operator.DefaultDigestAlgorithmIdentifierFinder;
import org.bouncycastle.operator.DefaultSignatureAlgorithmIdentifierFinder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.bc.BcECContentSignerBuilder;

/**
 * The self-signed ECDSA P-256 certificate and key a node presents in every DTLS handshake.
 *
 * <p>WebRTC peers trust it through the fingerprint in SDP, so nothing about the subject or
 * issuer matters; it is generated at startup and never leaves memory. One per SFU node is
 * enough: a fingerprint names the node, not the session (RFC 8827 §6.5 permits reuse).
 * Immutable and safe to share between endpoints and threads.
 */
public final class DtlsCertificate {

    /** How far before and after its creation the certificate is valid, to tolerate clock skew. */
    public static final Duration VALIDITY_MARGIN = Duration.ofDays(30);

    private final byte[] der;
    private final AsymmetricKeyParameter privateKey;
    private final DtlsFingerprint fingerprint;

    private DtlsCertificate(byte[] der, AsymmetricKeyParameter privateKey) {
        this.der = der;
        this.privateKey = privateKey;
        this.fingerprint = DtlsFingerprint.sha256(der);
    }

    /** Generates a fresh key pair and certificate valid from 30 days ago to 30 days ahead. */
    public static DtlsCertificate generate() {
        return generate(Clock.systemUTC(), new SecureRandom());
    }

    /** Generates a fresh key pair and certificate whose validity is centred on {@code clock}'s now. */
    public static DtlsCertificate generate(Clock clock, SecureRandom random) {
        X9ECParameters curve = CustomNamedCurves.getByName("secp256r1");
        ECNamedDomainParameters domain = new ECNamedDomainParameters(SECObjectIdentifiers.secp256r1, curve);
        ECKeyPairGenerator generator = new ECKeyPairGenerator();
        generator.init(new ECKeyGenerationParameters(domain, random));
        AsymmetricCipherKeyPair keyPair = generator.generateKeyPair();

        Instant now = clock.instant();
        // A positive 63-bit serial: RFC 5280 wants it positive and unique per issuer.
        BigInteger serial = BigInteger.valueOf(random.nextLong() & Long.MAX_VALUE).add(BigInteger.ONE);
        X500Name name = new X500Name("CN=Convene");
        try {
            X509v3CertificateBuilder builder = new X509v3CertificateBuilder(
                    name,
                    serial,
                    Date.from(now.minus(VALIDITY_MARGIN)),
                    Date.from(now.plus(VALIDITY_MARGIN)),
                    name,
                    SubjectPublicKeyInfoFactory.createSubjectPublicKeyInfo(keyPair.getPublic()));
            AlgorithmIdentifier signature = new DefaultSignatureAlgorithmIdentifierFinder().find("SHA256withECDSA");
            AlgorithmIdentifier digest = new DefaultDigestAlgorithmIdentifierFinder().find(signature);
            byte[] der = builder.build(new BcECContentSignerBuilder(signature, digest).build(keyPair.getPrivate()))
                    .getEncoded();
            return new DtlsCertificate(der, keyPair.getPrivate());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode the DTLS certificate", e);
        } catch (OperatorCreationException e) {
            throw new IllegalStateException("cannot sign the DTLS certificate", e);
        }
    }

    /** The DER encoding of the certificate (a copy). */
    public byte[] certificateDer() {
        return der.clone();
    }

    /** The SHA-256 fingerprint: the value to put in SDP as {@code a=fingerprint:} + {@link DtlsFingerprint#toSdpValue()}. */
    public DtlsFingerprint fingerprint() {
        return fingerprint;
    }

    /** The SHA-256 fingerprint as upper-case hex with colons, {@code AB:CD:…}. */
    public String fingerprintSha256() {
        return fingerprint.hex();
    }

    /** The SHA-256 fingerprint, as upper-case hex with colons, of any DER-encoded certificate. */
    public static String fingerprintSha256(byte[] certificateDer) {
        return DtlsFingerprint.sha256(certificateDer).hex();
    }

    byte[] derUnsafe() {
        return der;
    }

    AsymmetricKeyParameter privateKey() {
        return privateKey;
    }

    @Override
    public String toString() {
        return "DtlsCertificate[" + fingerprint.toSdpValue() + "]";
    }
}
