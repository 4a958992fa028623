package dev.convene.media.transport.srtp;

/**
 * The cryptographic half of SRTP for one profile family: encrypt and authenticate a packet
 * whose framing, index and replay state {@link SrtpContext} has already worked out.
 * Lengths in, lengths or {@link SrtpError} codes out; all in place.
 */
sealed interface PacketTransform permits AesCmTransform, AesGcmTransform {

    /** Protects RTP {@code buf[off, off+len)} with header length {@code hdr}; returns the new length. */
    int protectRtp(byte[] buf, int off, int len, int hdr, int ssrc, long index);

    /** Verifies and decrypts SRTP {@code buf[off, off+len)} (tag included); returns the plaintext length. */
    int unprotectRtp(byte[] buf, int off, int len, int hdr, int ssrc, long index);

    /** Protects RTCP {@code buf[off, off+len)} with SRTCP index {@code index}, E flag set. */
    int protectRtcp(byte[] buf, int off, int len, int ssrc, int index);

    /**
     * Verifies and, when {@code encrypted}, decrypts SRTCP {@code buf[off, off+len)}; the
     * caller has read the E flag and index from the trailer. Returns the RTCP length.
     */
    int unprotectRtcp(byte[] buf, int off, int len, int ssrc, int index, boolean encrypted);

    /** Octets from the end of an SRTCP packet to the start of its E flag + index word. */
    int rtcpTrailerFromEnd();

    static void writeInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }

    static int readInt(byte[] b, int at) {
        return (b[at] & 0xFF) << 24 | (b[at + 1] & 0xFF) << 16 | (b[at + 2] & 0xFF) << 8 | (b[at + 3] & 0xFF);
    }
}
