package dev.convene.media.transport.srtp;

import java.util.Optional;

/**
 * SRTP protection profiles negotiated through DTLS {@code use_srtp} (RFC 5764, RFC 7714).
 * Lengths are in bytes.
 */
public enum SrtpProfile {
    AES_CM_128_HMAC_SHA1_80(0x0001, 16, 14, 10, 10),
    AES_CM_128_HMAC_SHA1_32(0x0002, 16, 14, 4, 10),
    AEAD_AES_128_GCM(0x0007, 16, 12, 16, 16),
    AEAD_AES_256_GCM(0x0008, 32, 12, 16, 16);

    private final int id;
    private final int keyLength;
    private final int saltLength;
    private final int rtpAuthTagLength;
    private final int rtcpAuthTagLength;

    SrtpProfile(int id, int keyLength, int saltLength, int rtpAuthTagLength, int rtcpAuthTagLength) {
        this.id = id;
        this.keyLength = keyLength;
        this.saltLength = saltLength;
        this.rtpAuthTagLength = rtpAuthTagLength;
        this.rtcpAuthTagLength = rtcpAuthTagLength;
    }

    /** The IANA "DTLS-SRTP Protection Profile" value. */
    public int id() { return id; }

    public int keyLength() { return keyLength; }

    public int saltLength() { return saltLength; }

    public int rtpAuthTagLength() { return rtpAuthTagLength; }

    public int rtcpAuthTagLength() { return rtcpAuthTagLength; }

    /** Bytes that protecting an RTP packet adds after its end. */
    public int rtpOverhead() { return rtpAuthTagLength; }

    /** Bytes that protecting an RTCP packet adds after its end (SRTCP index and tag). */
    public int rtcpOverhead() { return 4 + rtcpAuthTagLength; }

    public boolean isAead() { return this == AEAD_AES_128_GCM || this == AEAD_AES_256_GCM; }

    /** Length of the DTLS keying material export for this profile (RFC 5764 §4.2). */
    public int keyingMaterialLength() { return 2 * (keyLength + saltLength); }

    public static Optional<SrtpProfile> fromId(int id) {
        for (SrtpProfile p : values()) {
            if (p.id == id) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}
