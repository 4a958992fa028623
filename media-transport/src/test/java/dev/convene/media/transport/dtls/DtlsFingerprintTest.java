package dev.convene.media.transport.dtls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class DtlsFingerprintTest {

    private static final DtlsCertificate CERT = DtlsTestPeers.SERVER_CERT;

    @Test
    void sdpFingerprintIsUpperCaseHexWithColons() throws Exception {
        String hex = CERT.fingerprintSha256();
        assertThat(hex).matches("([0-9A-F]{2}:){31}[0-9A-F]{2}");
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(CERT.certificateDer());
        assertThat(hex.replace(":", "")).isEqualTo(HexFormat.of().withUpperCase().formatHex(digest));
        assertThat(CERT.fingerprint().toSdpValue()).isEqualTo("sha-256 " + hex);
        assertThat(DtlsCertificate.fingerprintSha256(CERT.certificateDer())).isEqualTo(hex);
    }

    @Test
    void parseIsCaseInsensitiveAndRoundTrips() {
        DtlsFingerprint upper = DtlsFingerprint.parse("SHA-256 " + CERT.fingerprintSha256());
        DtlsFingerprint lower = DtlsFingerprint.parse("  sha-256   " + CERT.fingerprintSha256().toLowerCase() + " ");
        assertThat(upper).isEqualTo(lower).isEqualTo(CERT.fingerprint()).hasSameHashCodeAs(lower);
        assertThat(upper.algorithm()).isEqualTo("sha-256");
        assertThat(upper.matches(CERT.certificateDer())).isTrue();
        assertThat(upper.matches(DtlsTestPeers.CLIENT_CERT.certificateDer())).isFalse();
        assertThat(DtlsFingerprint.parse(upper.toSdpValue())).isEqualTo(upper);
    }

    @Test
    void otherHashFunctionsOfRfc8122Work() {
        for (String algorithm : new String[] {"sha-1", "sha-224", "sha-384", "sha-512"}) {
            DtlsFingerprint f = DtlsFingerprint.of(algorithm, CERT.certificateDer());
            assertThat(DtlsFingerprint.parse(f.toSdpValue()).matches(CERT.certificateDer())).isTrue();
            assertThat(f).isNotEqualTo(CERT.fingerprint());
        }
    }

    @Test
    void malformedFingerprintsAreRejected() {
        assertThatThrownBy(() -> DtlsFingerprint.parse("md5 AB:CD")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DtlsFingerprint.parse("sha-256")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DtlsFingerprint.parse("sha-256 AB:CD")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DtlsFingerprint.parse("sha-256 " + CERT.fingerprintSha256().replace(':', '-')))
                .isInstanceOf(IllegalArgumentException.class);
        // The first digit, not every 'A': a random fingerprint has no 'A' one time in 60.
        assertThatThrownBy(() -> DtlsFingerprint.parse("sha-256 G" + CERT.fingerprintSha256().substring(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void digestIsDefensivelyCopied() {
        byte[] digest = CERT.fingerprint().digest();
        digest[0] ^= 1;
        assertThat(CERT.fingerprint().digest()).isNotEqualTo(digest);
    }

    @Test
    void certificateIsSelfSignedP256ValidAroundNow() throws Exception {
        Instant now = Instant.parse("2026-11-24T12:00:00Z");
        DtlsCertificate generated = DtlsCertificate.generate(Clock.fixed(now, ZoneOffset.UTC), new SecureRandom());
        X509Certificate x509 = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(generated.certificateDer()));

        assertThat(x509.getSigAlgName()).isEqualTo("SHA256withECDSA");
        assertThat(((ECPublicKey) x509.getPublicKey()).getParams().getCurve().getField().getFieldSize()).isEqualTo(256);
        assertThat(x509.getNotBefore().toInstant()).isEqualTo(now.minus(Duration.ofDays(30)));
        assertThat(x509.getNotAfter().toInstant()).isEqualTo(now.plus(Duration.ofDays(30)));
        x509.verify(x509.getPublicKey()); // Self-signed.
        assertThat(generated.fingerprint()).isNotEqualTo(CERT.fingerprint());
    }
}
