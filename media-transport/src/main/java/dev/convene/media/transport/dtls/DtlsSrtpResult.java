package dev.convene.media.transport.dtls;

import dev.convene.media.transport.srtp.SrtpKeys;
import dev.convene.media.transport.srtp.SrtpProfile;
import java.util.Arrays;
import java.util.Objects;

/**
 * What a completed DTLS-SRTP handshake yields: the negotiated protection profile, the keying
 * material exported with label {@code EXTRACTOR-dtls_srtp} (RFC 5764 §4.2), which side this
 * was, and the peer's certificate (already checked against the SDP fingerprint).
 * Arrays are copied in and out.
 */
public record DtlsSrtpResult(SrtpProfile profile, byte[] keyingMaterial, boolean isServer, byte[] peerCertificateDer) {

    public DtlsSrtpResult {
        Objects.requireNonNull(profile, "profile");
        keyingMaterial = keyingMaterial.clone();
        peerCertificateDer = peerCertificateDer.clone();
        if (keyingMaterial.length != profile.keyingMaterialLength()) {
            throw new IllegalArgumentException(profile + " needs " + profile.keyingMaterialLength()
                    + " bytes of keying material, got " + keyingMaterial.length);
        }
    }

    /** The master keys and salts split for this side (local = what this side sends). */
    public SrtpKeys srtpKeys() {
        return SrtpKeys.fromKeyingMaterial(profile, keyingMaterial, isServer);
    }

    /** The SHA-256 fingerprint of the peer's certificate. */
    public DtlsFingerprint peerFingerprint() {
        return DtlsFingerprint.sha256(peerCertificateDer);
    }

    @Override
    public byte[] keyingMaterial() {
        return keyingMaterial.clone();
    }

    @Override
    public byte[] peerCertificateDer() {
        return peerCertificateDer.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DtlsSrtpResult other
                && profile == other.profile
                && isServer == other.isServer
                && Arrays.equals(keyingMaterial, other.keyingMaterial)
                && Arrays.equals(peerCertificateDer, other.peerCertificateDer);
    }

    @Override
    public int hashCode() {
        return Objects.hash(profile, isServer, Arrays.hashCode(peerCertificateDer));
    }

    /** Never prints key material. */
    @Override
    public String toString() {
        return "DtlsSrtpResult[profile=" + profile + ", isServer=" + isServer
                + ", peer=" + peerFingerprint().toSdpValue() + "]";
    }
}
