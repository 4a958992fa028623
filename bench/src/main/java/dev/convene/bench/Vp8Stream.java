package dev.convene.bench;

import java.util.Random;

/**
 * A synthetic VP8 publisher stream, as Chrome sends it: 1,100-byte RTP packets (12-byte header,
 * no CSRCs or extensions), ten packets per frame at 30 fps, a 6-byte payload descriptor with a
 * 15-bit PictureID, TL0PICIDX and TID, and a key frame first so that a rewriter that was told to
 * switch to this SSRC starts forwarding at packet 0.
 *
 * <p>{@link #writeHeader} writes only what changes from packet to packet (RTP header, payload
 * descriptor, the VP8 frame tag byte), so benchmarks that do not need fresh payload bytes pay
 * no 1,100-byte copy for the fixture; {@link #writePacket} also copies the fixed payload.
 */
final class Vp8Stream {
    static final int PACKET_LENGTH = 1100;
    static final int RTP_HEADER_LENGTH = 12;
    static final int PAYLOAD_TYPE = 96;
    static final int CLOCK_RATE = 90_000;
    /** Spare room after a packet: any SRTP tag, and more than an MTU in all. */
    static final int BUFFER_LENGTH = 1500;

    private static final int PACKETS_PER_FRAME = 10;
    private static final int TICKS_PER_FRAME = CLOCK_RATE / 30;
    private static final int DESCRIPTOR_LENGTH = 6;

    private final long ssrc;
    private final byte[] payload = new byte[PACKET_LENGTH];
    private long packets;
    private int sequence;
    private long timestamp;
    private int pictureId;
    private int tl0PicIdx;

    Vp8Stream(long ssrc, long seed) {
        this.ssrc = ssrc;
        Random random = new Random(seed);
        random.nextBytes(payload);
        sequence = random.nextInt(1 << 16);
        timestamp = random.nextInt() & 0xFFFFFFFFL;
        pictureId = random.nextInt(1 << 15);
        tl0PicIdx = random.nextInt(1 << 8);
    }

    long ssrc() {
        return ssrc;
    }

    /** Writes the next whole packet into {@code buf[off, off + PACKET_LENGTH)}; returns its length. */
    int writePacket(byte[] buf, int off) {
        copyPayload(buf, off);
        return writeHeader(buf, off);
    }

    /** Fills {@code buf[off, off + PACKET_LENGTH)} with the payload bytes; the stream does not advance. */
    void copyPayload(byte[] buf, int off) {
        System.arraycopy(payload, 0, buf, off, PACKET_LENGTH);
    }

    /**
     * Writes the header fields of the next packet at {@code buf[off]}, leaving the rest of the
     * payload as it is; returns the packet length.
     */
    int writeHeader(byte[] buf, int off) {
        int inFrame = (int) (packets % PACKETS_PER_FRAME);
        boolean startOfFrame = inFrame == 0;
        boolean endOfFrame = inFrame == PACKETS_PER_FRAME - 1;
        boolean keyframe = packets < PACKETS_PER_FRAME;

        buf[off] = (byte) 0x80; // V=2, no padding, no extension, no CSRCs
        buf[off + 1] = (byte) ((endOfFrame ? 0x80 : 0) | PAYLOAD_TYPE);
        put16(buf, off + 2, sequence);
        put32(buf, off + 4, timestamp);
        put32(buf, off + 8, ssrc);

        int d = off + RTP_HEADER_LENGTH;
        buf[d] = (byte) (0x80 | (startOfFrame ? 0x10 : 0)); // X, S on the frame's first packet, PID 0
        buf[d + 1] = (byte) 0xE0;                            // I, L, T
        put16(buf, d + 2, 0x8000 | pictureId);               // M: 15-bit PictureID
        buf[d + 4] = (byte) tl0PicIdx;
        buf[d + 5] = 0;                                      // TID 0, Y 0, KEYIDX 0
        if (startOfFrame) {
            buf[d + DESCRIPTOR_LENGTH] = (byte) (keyframe ? 0x00 : 0x01); // VP8 frame tag: P bit
        }

        packets++;
        sequence = (sequence + 1) & 0xFFFF;
        if (endOfFrame) {
            timestamp = (timestamp + TICKS_PER_FRAME) & 0xFFFFFFFFL;
            pictureId = (pictureId + 1) & 0x7FFF;
            tl0PicIdx = (tl0PicIdx + 1) & 0xFF;
        }
        return PACKET_LENGTH;
    }

    /** A reproducible master key and salt for {@code length} bytes. */
    static byte[] keyBytes(int length, long seed) {
        byte[] key = new byte[length];
        new Random(seed).nextBytes(key);
        return key;
    }

    private static void put16(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 8);
        b[at + 1] = (byte) v;
    }

    private static void put32(byte[] b, int at, long v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }
}
