package dev.convene.media.transport.srtp;


/** AES_CM_128 encryption with HMAC-SHA1 authentication (RFC 3711 §4.1.1, §4.2.1). */
final class AesCmTransform implements PacketTransform {
    private final AesCtrKeystream rtpCipher;
    private final AesCtrKeystream rtcpCipher;
    private final HmacSha1 rtpMac;
    private final HmacSha1 rtcpMac;
    private final byte[] rtpSalt;
    private final byte[] rtcpSalt;
    private final int rtpTagLength;
    private final int rtcpTagLength;

    private final byte[] iv = new byte[16];
    private final byte[] digest = new byte[20];
    private final byte[] word = new byte[4];

    AesCmTransform(SrtpProfile profile, SessionKeys rtp, SessionKeys rtcp) {
        rtpCipher = new AesCtrKeystream(rtp.encryptionKey());
        rtcpCipher = new AesCtrKeystream(rtcp.encryptionKey());
        rtpMac = new HmacSha1(rtp.authKey());
        rtcpMac = new HmacSha1(rtcp.authKey());
        rtpSalt = rtp.salt().clone();
        rtcpSalt = rtcp.salt().clone();
        rtpTagLength = profile.rtpAuthTagLength();
        rtcpTagLength = profile.rtcpAuthTagLength();
    }

    @Override
    public int protectRtp(byte[] buf, int off, int len, int hdr, int ssrc, long index) {
        setIv(rtpSalt, ssrc, index);
        rtpCipher.xor(iv, buf, off + hdr, len - hdr);
        rtpDigest(buf, off, len, (int) (index >>> 16));
        System.arraycopy(digest, 0, buf, off + len, rtpTagLength);
        return len + rtpTagLength;
    }

    @Override
    public int unprotectRtp(byte[] buf, int off, int len, int hdr, int ssrc, long index) {
        int dataLength = len - rtpTagLength;
        rtpDigest(buf, off, dataLength, (int) (index >>> 16));
        if (!tagMatches(buf, off + dataLength, rtpTagLength)) {
            return SrtpError.AUTH_FAILED;
        }
        setIv(rtpSalt, ssrc, index);
        rtpCipher.xor(iv, buf, off + hdr, dataLength - hdr);
        return dataLength;
    }

    @Override
    public int protectRtcp(byte[] buf, int off, int len, int ssrc, int index) {
        setIv(rtcpSalt, ssrc, index);
        rtcpCipher.xor(iv, buf, off + 8, len - 8);
        PacketTransform.writeInt(buf, off + len, 0x80000000 | index);
        macInto(rtcpMac, buf, off, len + 4);
        System.arraycopy(digest, 0, buf, off + len + 4, rtcpTagLength);
        return len + 4 + rtcpTagLength;
    }

    @Override
    public int unprotectRtcp(byte[] buf, int off, int len, int ssrc, int index, boolean encrypted) {
        int authenticated = len - rtcpTagLength;
        macInto(rtcpMac, buf, off, authenticated);
        if (!tagMatches(buf, off + authenticated, rtcpTagLength)) {
            return SrtpError.AUTH_FAILED;
        }
        int rtcpLength = authenticated - 4;
        if (encrypted) {
            setIv(rtcpSalt, ssrc, index);
            rtcpCipher.xor(iv, buf, off + 8, rtcpLength - 8);
        }
        return rtcpLength;
    }

    @Override
    public int rtcpTrailerFromEnd() {
        return rtcpTagLength + 4;
    }

    /** IV = (salt * 2^16) XOR (SSRC * 2^64) XOR (index * 2^16), RFC 3711 §4.1.1. */
    private void setIv(byte[] salt, int ssrc, long index) {
        System.arraycopy(salt, 0, iv, 0, 14);
        iv[14] = 0;
        iv[15] = 0;
        iv[4] ^= (byte) (ssrc >>> 24);
        iv[5] ^= (byte) (ssrc >>> 16);
        iv[6] ^= (byte) (ssrc >>> 8);
        iv[7] ^= (byte) ssrc;
        for (int i = 0; i < 6; i++) {
            iv[13 - i] ^= (byte) (index >>> (8 * i));
        }
    }

    /** HMAC-SHA1 over the authenticated portion followed by the ROC (RFC 3711 §4.2). */
    private void rtpDigest(byte[] buf, int off, int len, int roc) {
        rtpMac.update(buf, off, len);
        PacketTransform.writeInt(word, 0, roc);
        rtpMac.update(word, 0, 4);
        finish(rtpMac);
    }

    private void macInto(HmacSha1 mac, byte[] buf, int off, int len) {
        mac.update(buf, off, len);
        finish(mac);
    }

    private void finish(HmacSha1 mac) {
        mac.doFinal(digest, 0);
    }

    /** Constant-time comparison of the computed digest prefix with the received tag. */
    private boolean tagMatches(byte[] buf, int at, int length) {
        int diff = 0;
        for (int i = 0; i < length; i++) {
            diff |= digest[i] ^ buf[at + i];
        }
        return diff == 0;
    }
}
