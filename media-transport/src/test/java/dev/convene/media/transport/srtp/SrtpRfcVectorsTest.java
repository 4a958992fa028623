package dev.convene.media.transport.srtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * Known answers from the RFCs. RFC 3711 Appendix B.2/B.3 are quoted from the RFC text;
 * RFC 7714 §16/§17 use the session key and salt directly (no derivation), as the RFC does.
 */
class SrtpRfcVectorsTest {

    static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replaceAll("\\s+", ""));
    }

    // ---- RFC 3711 Appendix B.2: AES-CM test vectors ------------------------------------

    private static final byte[] B2_SESSION_KEY = hex("2B7E151628AED2A6ABF7158809CF4F3C");
    /** "Session Salt: F0F1F2F3F4F5F6F7F8F9FAFBFCFD0000 (already shifted)". */
    private static final byte[] B2_OFFSET = hex("F0F1F2F3F4F5F6F7F8F9FAFBFCFD0000");

    @Test
    void rfc3711B2KeystreamSegment() {
        // "Keystream segment length: 1044512 octets (65282 AES blocks)"
        byte[] keystream = new byte[1044512];
        new AesCtrKeystream(B2_SESSION_KEY).xor(B2_OFFSET, keystream, 0, keystream.length);

        assertThat(block(keystream, 0x0000)).isEqualTo(hex("E03EAD0935C95E80E166B16DD92B4EB4"));
        assertThat(block(keystream, 0x0001)).isEqualTo(hex("D23513162B02D0F72A43A2FE4A5F97AB"));
        assertThat(block(keystream, 0x0002)).isEqualTo(hex("41E95B3BB0A2E8DD477901E4FCA894C0"));
        assertThat(block(keystream, 0xFEFF)).isEqualTo(hex("EC8CDF7398607CB0F2D21675EA9EA1E4"));
        assertThat(block(keystream, 0xFF00)).isEqualTo(hex("362B7C3C6773516318A077D7FC5073AE"));
        assertThat(block(keystream, 0xFF01)).isEqualTo(hex("6A2CC3787889374FBEB4C81B17BA6C44"));
    }

    @Test
    void rfc3711B2ThroughTheRtpPathWithSsrcAndIndexZero() {
        // SSRC 0, ROC 0, SEQ 0: the IV is the shifted salt, so a zero payload encrypts to the keystream.
        byte[] salt = Arrays.copyOf(B2_OFFSET, 14);
        SessionKeys keys = new SessionKeys(B2_SESSION_KEY, salt, new byte[20]);
        SrtpContext ctx = SrtpContext.withSessionKeys(SrtpProfile.AES_CM_128_HMAC_SHA1_80, keys, keys);
        byte[] buf = new byte[12 + 48 + 10];
        buf[0] = (byte) 0x80;

        assertThat(ctx.protectRtp(buf, 0, 60)).isEqualTo(70);
        assertThat(Arrays.copyOfRange(buf, 12, 60)).isEqualTo(hex(
                "E03EAD0935C95E80E166B16DD92B4EB4 D23513162B02D0F72A43A2FE4A5F97AB 41E95B3BB0A2E8DD477901E4FCA894C0"));
    }

    // ---- RFC 3711 Appendix B.3: key derivation test vectors ----------------------------

    private static final byte[] B3_MASTER_KEY = hex("E1F97A0D3E018BE0D64FA32C06DE4139");
    private static final byte[] B3_MASTER_SALT = hex("0EC675AD498AFEEBB6960B3AABE6");

    @Test
    void rfc3711B3KeyDerivation() {
        assertThat(SessionKeys.prf(B3_MASTER_KEY, B3_MASTER_SALT, 0x00, 16))
                .isEqualTo(hex("C61E7A93744F39EE10734AFE3FF7A087"));
        assertThat(SessionKeys.prf(B3_MASTER_KEY, B3_MASTER_SALT, 0x02, 14))
                .isEqualTo(hex("30CBBC08863D8C85D49DB34A9AE1"));
        // The full 94-octet auth key of the appendix; HMAC-SHA1 uses its first 20 octets.
        assertThat(SessionKeys.prf(B3_MASTER_KEY, B3_MASTER_SALT, 0x01, 94)).isEqualTo(hex("""
                CEBE321F6FF7716B6FD4AB49AF256A15
                6D38BAA48F0A0ACF3C34E2359E6CDBCE
                E049646C43D9327AD175578EF7227098
                6371C10C9A369AC2F94A8C5FBCDDDC25
                6D6E919A48B610EF17C2041E47403576
                6B68642C59BBFC2F34DB60DBDFB2"""));

        SessionKeys rtp = SessionKeys.derive(SrtpProfile.AES_CM_128_HMAC_SHA1_80, B3_MASTER_KEY, B3_MASTER_SALT, false);
        assertThat(rtp.encryptionKey()).isEqualTo(hex("C61E7A93744F39EE10734AFE3FF7A087"));
        assertThat(rtp.salt()).isEqualTo(hex("30CBBC08863D8C85D49DB34A9AE1"));
        assertThat(rtp.authKey()).isEqualTo(hex("CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4"));
    }

    // ---- libsrtp's srtp_validate reference packets (same master key as B.3) ------------
    // Not an RFC vector: the packets libsrtp's test driver checks, i.e. what browsers produce.

    @Test
    void libsrtpReferencePacketsForAesCm128HmacSha1_80() {
        byte[] masterKey = B3_MASTER_KEY;
        byte[] masterSalt = B3_MASTER_SALT;
        SrtpContext sender = new SrtpContext(SrtpProfile.AES_CM_128_HMAC_SHA1_80, masterKey, masterSalt);
        SrtpContext receiver = new SrtpContext(SrtpProfile.AES_CM_128_HMAC_SHA1_80, masterKey, masterSalt);

        byte[] rtp = hex("800f1234decafbadcafebabe abababababababababababababababab");
        byte[] srtp = hex("800f1234decafbadcafebabe 4e55dc4ce79978d88ca4d215949d2402 b78d6acc99ea179b8dbb");
        byte[] buf = Arrays.copyOf(rtp, 64);
        assertThat(sender.protectRtp(buf, 0, rtp.length)).isEqualTo(srtp.length);
        assertThat(Arrays.copyOf(buf, srtp.length)).isEqualTo(srtp);
        assertThat(receiver.unprotectRtp(buf, 0, srtp.length)).isEqualTo(rtp.length);
        assertThat(Arrays.copyOf(buf, rtp.length)).isEqualTo(rtp);

        byte[] rtcp = hex("81c8000bcafebabe abababababababababababababababab");
        byte[] srtcp = hex("81c8000bcafebabe 7128035be487b9bdbef89041f977a5a8 80000001 993e08cd54d6c1230798");
        sender.setNextRtcpIndex(0xcafebabe, 1); // libsrtp's first SRTCP index is 1
        buf = Arrays.copyOf(rtcp, 64);
        assertThat(sender.protectRtcp(buf, 0, rtcp.length)).isEqualTo(srtcp.length);
        assertThat(Arrays.copyOf(buf, srtcp.length)).isEqualTo(srtcp);
        assertThat(receiver.unprotectRtcp(buf, 0, srtcp.length)).isEqualTo(rtcp.length);
        assertThat(Arrays.copyOf(buf, rtcp.length)).isEqualTo(rtcp);
    }

    // ---- RFC 7714 §16: SRTP AEAD_AES_128_GCM / AEAD_AES_256_GCM -----------------------

    private static final byte[] GCM_KEY_128 = hex("00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f");
    private static final byte[] GCM_KEY_256 = hex("""
            00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f
            10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d 1e 1f""");
    private static final byte[] GCM_SALT = hex("51 75 69 64 20 70 72 6f 20 71 75 6f");

    private static final byte[] RTP_PLAINTEXT = hex("""
            8040f17b 8041f8d3 5501a0b2 47616c6c
            69612065 7374206f 6d6e6973 20646976
            69736120 696e2070 61727465 73207472
            6573""");

    /** §16.1.1 (128) and §16.2.1 (256): header || ciphertext || tag. */
    private static final byte[] SRTP_GCM_128 = hex("""
            8040f17b 8041f8d3 5501a0b2 f24de3a3
            fb34de6c acba861c 9d7e4bca be633bd5
            0d294e6f 42a5f47a 51c7d19b 36de3adf
            8833899d 7f27beb1 6a9152cf 765ee439
            0cce""");
    private static final byte[] SRTP_GCM_256 = hex("""
            8040f17b 8041f8d3 5501a0b2 32b1de78
            a822fe12 ef9f78fa 332e33aa b1801238
            9a58e2f3 b50b2a02 76ffae0f 1ba63799
            b87b7aa3 db36dfff d6b0f9bb 7878d7a7
            6c13""");

    private static final byte[] RTCP_PLAINTEXT = hex("""
            81c8000d 4d617273 4e545031 4e545032
            52545020 0000042a 0000e930 4c756e61
            deadbeef deadbeef deadbeef deadbeef
            deadbeef""");
    private static final int RTCP_SSRC = 0x4d617273;
    private static final int RTCP_INDEX = 0x5d4;

    /** §17.1 (128) and §17.2 (256): header || ciphertext || tag || E+index. */
    private static final byte[] SRTCP_GCM_128 = hex("""
            81c8000d 4d617273 63e94885 dcdab67c
            a727d766 2f6b7e99 7ff5c0f7 6c06f32d
            c676a5f1 730d6fda 4ce09b46 86303ded
            0bb9275b c84aa458 96cf4d2f c5abf872
            45d9eade 800005d4""");
    private static final byte[] SRTCP_GCM_256 = hex("""
            81c8000d 4d617273 d50ae4d1 f5ce5d30
            4ba297e4 7d470c28 2c3ece5d bffe0a50
            a2eaa5c1 110555be 8415f658 c61de047
            6f1b6fad 1d1eb30c 4446839f 57ff6f6c
            b26ac3be 800005d4""");
    /** §17.3 (128) and §17.4 (256): E flag clear, the packet only authenticated. */
    private static final byte[] SRTCP_GCM_128_TAG_ONLY = hex("""
            81c8000d 4d617273 4e545031 4e545032
            52545020 0000042a 0000e930 4c756e61
            deadbeef deadbeef deadbeef deadbeef
            deadbeef 841dd968 3dd78ec9 2ae58790
            125f62b3 000005d4""");
    private static final byte[] SRTCP_GCM_256_TAG_ONLY = hex("""
            81c8000d 4d617273 4e545031 4e545032
            52545020 0000042a 0000e930 4c756e61
            deadbeef deadbeef deadbeef deadbeef
            deadbeef 91db4afb feee5a97 8fab4393
            ed2615fe 000005d4""");

    @Test
    void rfc7714Section16RtpAes128Gcm() {
        checkRtp(SrtpProfile.AEAD_AES_128_GCM, GCM_KEY_128, SRTP_GCM_128);
    }

    @Test
    void rfc7714Section16RtpAes256Gcm() {
        checkRtp(SrtpProfile.AEAD_AES_256_GCM, GCM_KEY_256, SRTP_GCM_256);
    }

    @Test
    void rfc7714Section17RtcpAes128Gcm() {
        checkRtcp(SrtpProfile.AEAD_AES_128_GCM, GCM_KEY_128, SRTCP_GCM_128, SRTCP_GCM_128_TAG_ONLY);
    }

    @Test
    void rfc7714Section17RtcpAes256Gcm() {
        checkRtcp(SrtpProfile.AEAD_AES_256_GCM, GCM_KEY_256, SRTCP_GCM_256, SRTCP_GCM_256_TAG_ONLY);
    }

    private static SrtpContext gcm(SrtpProfile profile, byte[] key) {
        SessionKeys keys = new SessionKeys(key, GCM_SALT, new byte[0]);
        return SrtpContext.withSessionKeys(profile, keys, keys);
    }

    private static void checkRtp(SrtpProfile profile, byte[] key, byte[] expected) {
        byte[] buf = Arrays.copyOf(RTP_PLAINTEXT, RTP_PLAINTEXT.length + profile.rtpOverhead());
        assertThat(gcm(profile, key).protectRtp(buf, 0, RTP_PLAINTEXT.length)).isEqualTo(expected.length);
        assertThat(buf).isEqualTo(expected);

        assertThat(gcm(profile, key).unprotectRtp(buf, 0, buf.length)).isEqualTo(RTP_PLAINTEXT.length);
        assertThat(Arrays.copyOf(buf, RTP_PLAINTEXT.length)).isEqualTo(RTP_PLAINTEXT);
    }

    private static void checkRtcp(SrtpProfile profile, byte[] key, byte[] expected, byte[] tagOnly) {
        SrtpContext sender = gcm(profile, key);
        sender.setNextRtcpIndex(RTCP_SSRC, RTCP_INDEX);
        byte[] buf = Arrays.copyOf(RTCP_PLAINTEXT, RTCP_PLAINTEXT.length + profile.rtcpOverhead());
        assertThat(sender.protectRtcp(buf, 0, RTCP_PLAINTEXT.length)).isEqualTo(expected.length);
        assertThat(buf).isEqualTo(expected);

        assertThat(gcm(profile, key).unprotectRtcp(buf, 0, buf.length)).isEqualTo(RTCP_PLAINTEXT.length);
        assertThat(Arrays.copyOf(buf, RTCP_PLAINTEXT.length)).isEqualTo(RTCP_PLAINTEXT);

        byte[] authOnly = tagOnly.clone();
        assertThat(gcm(profile, key).unprotectRtcp(authOnly, 0, authOnly.length)).isEqualTo(RTCP_PLAINTEXT.length);
        assertThat(Arrays.copyOf(authOnly, RTCP_PLAINTEXT.length)).isEqualTo(RTCP_PLAINTEXT);

        byte[] forged = tagOnly.clone();
        forged[20] ^= 1;
        assertThat(gcm(profile, key).unprotectRtcp(forged, 0, forged.length)).isEqualTo(SrtpError.AUTH_FAILED);
    }

    private static byte[] block(byte[] keystream, int n) {
        return Arrays.copyOfRange(keystream, n * 16, n * 16 + 16);
    }
}
