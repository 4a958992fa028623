package dev.convene.media.transport.srtp;

import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AEAD_AES_128_GCM and AEAD_AES_256_GCM (RFC 7714). With the JDK's GHASH reachable
 * ({@link Ghash#AVAILABLE}) packets go through {@link AesGcm}, which allocates nothing; otherwise
 * through the JCA cipher, whose {@code Cipher.init} per packet builds a new GCM engine (about
 * 1 KB of garbage per packet, ADR 0024).
 */
final class AesGcmTransform implements PacketTransform {
    private static final int TAG_BITS = 128;
    private static final int TAG_LENGTH = 16;

    private final Cipher rtpCipher;
    private final Cipher rtcpCipher;
    private final SecretKeySpec rtpKey;
    private final SecretKeySpec rtcpKey;
    private final byte[] rtpSalt;
    private final byte[] rtcpSalt;

    /** Null when the JDK's GHASH is not reachable: then the JCA ciphers above do the work. */
    private final AesGcm rtpGcm;
    private final AesGcm rtcpGcm;

    private final byte[] iv = new byte[12];
    private final byte[] word = new byte[4];

    AesGcmTransform(SessionKeys rtp, SessionKeys rtcp) {
        rtpCipher = gcm();
        rtcpCipher = gcm();
        rtpKey = new SecretKeySpec(rtp.encryptionKey(), "AES");
        rtcpKey = new SecretKeySpec(rtcp.encryptionKey(), "AES");
        rtpSalt = rtp.salt().clone();
        rtcpSalt = rtcp.salt().clone();
        rtpGcm = Ghash.AVAILABLE ? new AesGcm(rtp.encryptionKey()) : null;
        rtcpGcm = Ghash.AVAILABLE ? new AesGcm(rtcp.encryptionKey()) : null;
    }

    @Override
    public int protectRtp(byte[] buf, int off, int len, int hdr, int ssrc, long index) {
        setRtpIv(ssrc, index);
        if (rtpGcm != null) {
            return hdr + rtpGcm.seal(iv, buf, off, hdr, word, 0, 0, buf, off + hdr, len - hdr);
        }
        try {
            rtpCipher.init(Cipher.ENCRYPT_MODE, rtpKey, new GCMParameterSpec(TAG_BITS, iv));
            rtpCipher.updateAAD(buf, off, hdr);
            return hdr + rtpCipher.doFinal(buf, off + hdr, len - hdr, buf, off + hdr);
        } catch (GeneralSecurityException e) {
            return SrtpError.CRYPTO_ERROR;
        }
    }

    @Override
    public int unprotectRtp(byte[] buf, int off, int len, int hdr, int ssrc, long index) {
        setRtpIv(ssrc, index);
        if (rtpGcm != null) {
            int n = rtpGcm.open(iv, buf, off, hdr, word, 0, 0, buf, off + hdr, len - hdr);
            return n < 0 ? SrtpError.AUTH_FAILED : hdr + n;
        }
        try {
            rtpCipher.init(Cipher.DECRYPT_MODE, rtpKey, new GCMParameterSpec(TAG_BITS, iv));
            rtpCipher.updateAAD(buf, off, hdr);
            return hdr + rtpCipher.doFinal(buf, off + hdr, len - hdr, buf, off + hdr);
        } catch (GeneralSecurityException e) {
            return SrtpError.AUTH_FAILED;
        }
    }

    /** Layout: header(8) | ciphertext | tag(16) | E+index(4); AAD = header(8) | E+index (RFC 7714 §9.1). */
    @Override
    public int protectRtcp(byte[] buf, int off, int len, int ssrc, int index) {
        setRtcpIv(ssrc, index);
        int trailer = 0x80000000 | index;
        PacketTransform.writeInt(word, 0, trailer);
        if (rtcpGcm != null) {
            int n = rtcpGcm.seal(iv, buf, off, 8, word, 0, 4, buf, off + 8, len - 8);
            PacketTransform.writeInt(buf, off + 8 + n, trailer);
            return 8 + n + 4;
        }
        try {
            rtcpCipher.init(Cipher.ENCRYPT_MODE, rtcpKey, new GCMParameterSpec(TAG_BITS, iv));
            rtcpCipher.updateAAD(buf, off, 8);
            rtcpCipher.updateAAD(word, 0, 4);
            int n = rtcpCipher.doFinal(buf, off + 8, len - 8, buf, off + 8);
            PacketTransform.writeInt(buf, off + 8 + n, trailer);
            return 8 + n + 4;
        } catch (GeneralSecurityException e) {
            return SrtpError.CRYPTO_ERROR;
        }
    }

    /** With E clear the whole RTCP packet is AAD and only the tag is checked (RFC 7714 §9.2). */
    @Override
    public int unprotectRtcp(byte[] buf, int off, int len, int ssrc, int index, boolean encrypted) {
        int trailerAt = off + len - 4;
        int tagAt = trailerAt - TAG_LENGTH;
        setRtcpIv(ssrc, index);
        if (rtcpGcm != null) {
            if (encrypted) {
                int n = rtcpGcm.open(iv, buf, off, 8, buf, trailerAt, 4, buf, off + 8, trailerAt - off - 8);
                return n < 0 ? SrtpError.AUTH_FAILED : 8 + n;
            }
            int n = rtcpGcm.open(iv, buf, off, tagAt - off, buf, trailerAt, 4, buf, tagAt, TAG_LENGTH);
            return n < 0 ? SrtpError.AUTH_FAILED : tagAt - off;
        }
        try {
            rtcpCipher.init(Cipher.DECRYPT_MODE, rtcpKey, new GCMParameterSpec(TAG_BITS, iv));
            if (encrypted) {
                rtcpCipher.updateAAD(buf, off, 8);
                rtcpCipher.updateAAD(buf, trailerAt, 4);
                return 8 + rtcpCipher.doFinal(buf, off + 8, trailerAt - off - 8, buf, off + 8);
            }
            rtcpCipher.updateAAD(buf, off, tagAt - off);
            rtcpCipher.updateAAD(buf, trailerAt, 4);
            rtcpCipher.doFinal(buf, tagAt, TAG_LENGTH, buf, tagAt);
            return tagAt - off;
        } catch (GeneralSecurityException e) {
            return SrtpError.AUTH_FAILED;
        }
    }

    @Override
    public int rtcpTrailerFromEnd() {
        return 4;
    }

    /** IV = salt XOR (00 00 | SSRC | ROC | SEQ), RFC 7714 §8.1. */
    private void setRtpIv(int ssrc, long index) {
        System.arraycopy(rtpSalt, 0, iv, 0, 12);
        xorInt(2, ssrc);
        xorInt(6, (int) (index >>> 16));
        iv[10] ^= (byte) (index >>> 8);
        iv[11] ^= (byte) index;
    }

    /** IV = salt XOR (00 00 | SSRC | 00 00 | 0 + SRTCP index), RFC 7714 §9.1. */
    private void setRtcpIv(int ssrc, int index) {
        System.arraycopy(rtcpSalt, 0, iv, 0, 12);
        xorInt(2, ssrc);
        xorInt(8, index & 0x7FFFFFFF);
    }

    private void xorInt(int at, int v) {
        iv[at] ^= (byte) (v >>> 24);
        iv[at + 1] ^= (byte) (v >>> 16);
        iv[at + 2] ^= (byte) (v >>> 8);
        iv[at + 3] ^= (byte) v;
    }

    private static Cipher gcm() {
        try {
            return Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/GCM is not available", e);
        }
    }
}
