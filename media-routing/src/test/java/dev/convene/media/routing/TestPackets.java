package dev.convene.media.routing;

import dev.convene.media.core.rtp.RtpPacket;

/** RTP packets for the stage tests, placed at an odd offset so a forgotten base offset shows. */
final class TestPackets {
    static final int BASE = 7;
    static final long MS = 1_000_000L;

    private TestPackets() {}

    /** An RTP packet (RFC 3550 §5.1) at {@link #BASE} with {@code tail} spare bytes after it. */
    static byte[] rtp(long ssrc, int pt, int seq, long ts, int tail, byte... payload) {
        byte[] buf = new byte[BASE + 12 + payload.length + tail];
        buf[BASE] = (byte) 0x80;
        buf[BASE + 1] = (byte) pt;
        buf[BASE + 2] = (byte) (seq >>> 8);
        buf[BASE + 3] = (byte) seq;
        for (int i = 0; i < 4; i++) {
            buf[BASE + 4 + i] = (byte) (ts >>> 24 - 8 * i);
            buf[BASE + 8 + i] = (byte) (ssrc >>> 24 - 8 * i);
        }
        System.arraycopy(payload, 0, buf, BASE + 12, payload.length);
        return buf;
    }

    static RtpPacket wrap(byte[] buf, int payloadLength) {
        RtpPacket p = new RtpPacket();
        if (!p.wrap(buf, BASE, 12 + payloadLength)) {
            throw new IllegalArgumentException("not RTP");
        }
        return p;
    }

    static byte[] payload(int length, int seed) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (seed * 31 + i);
        }
        return b;
    }
}
