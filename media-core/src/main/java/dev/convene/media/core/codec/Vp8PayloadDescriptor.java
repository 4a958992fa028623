package dev.convene.media.core.codec;

import dev.convene.media.core.Bytes;

/**
 * A reusable view of the VP8 payload descriptor at the start of an RTP payload (RFC 7741 §4.2).
 *
 * <pre>
 *       0 1 2 3 4 5 6 7
 *      +-+-+-+-+-+-+-+-+
 *      |X|R|N|S|R| PID | (REQUIRED)
 *      +-+-+-+-+-+-+-+-+
 * X:   |I|L|T|K| RSV   | (OPTIONAL)
 *      +-+-+-+-+-+-+-+-+
 * I:   |M| PictureID   | (OPTIONAL)
 *      +-+-+-+-+-+-+-+-+
 *      |   PictureID   | (second byte only when M = 1)
 *      +-+-+-+-+-+-+-+-+
 * L:   |   TL0PICIDX   | (OPTIONAL)
 *      +-+-+-+-+-+-+-+-+
 * T/K: |TID|Y| KEYIDX  | (OPTIONAL)
 *      +-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>Absent fields read as -1. Offsets returned are absolute indices into the buffer.
 */
public final class Vp8PayloadDescriptor {
    private byte[] buf;
    private int off;
    private int len;
    private int descriptorLength;
    /** Absolute index of the PictureID's first byte, or -1. */
    private int pictureIdAt = -1;
    private int tl0PicIdxAt = -1;
    private int tidKeyIdxAt = -1;

    /**
     * Parses the descriptor at {@code buf[off..off+len)}, the RTP payload. Returns {@code false}
     * if the payload ends inside the descriptor or carries no VP8 data after it.
     */
    public boolean wrap(byte[] buffer, int offset, int length) {
        clear();
        if (!Bytes.inBounds(buffer, offset, length) || length < 1) {
            return false;
        }
        int p = offset;
        int end = offset + length;
        int first = buffer[p++] & 0xFF;
        int pictureId = -1;
        int tl0 = -1;
        int tk = -1;
        if ((first & 0x80) != 0) {
            if (p >= end) {
                return false;
            }
            int ext = buffer[p++] & 0xFF;
            if ((ext & 0x80) != 0) {
                if (p >= end) {
                    return false;
                }
                pictureId = p;
                p += (buffer[p] & 0x80) != 0 ? 2 : 1;
            }
            if ((ext & 0x40) != 0) {
                tl0 = p++;
            }
            if ((ext & 0x30) != 0) {
                tk = p++;
            }
        }
        // The descriptor must be followed by at least one byte of VP8 payload (RFC 7741 §4.2).
        if (p >= end) {
            return false;
        }
        this.buf = buffer;
        this.off = offset;
        this.len = length;
        this.descriptorLength = p - offset;
        this.pictureIdAt = pictureId;
        this.tl0PicIdxAt = tl0;
        this.tidKeyIdxAt = tk;
        return true;
    }

    private void clear() {
        buf = null;
        off = len = descriptorLength = 0;
        pictureIdAt = tl0PicIdxAt = tidKeyIdxAt = -1;
    }

    public int descriptorLength() { return descriptorLength; }

    /** Absolute index of the VP8 payload after the descriptor. */
    public int vp8PayloadOffset() { return off + descriptorLength; }

    public int vp8PayloadLength() { return len - descriptorLength; }

    public boolean hasExtension() { return (buf[off] & 0x80) != 0; }

    /** N: the frame can be discarded without affecting others. */
    public boolean isNonReference() { return (buf[off] & 0x20) != 0; }

    /** S: this packet starts a VP8 partition. */
    public boolean isStartOfPartition() { return (buf[off] & 0x10) != 0; }

    public int partitionIndex() { return buf[off] & 0x07; }

    private int extensionBits() { return hasExtension() ? buf[off + 1] & 0xFF : 0; }

    public boolean hasPictureId() { return pictureIdAt >= 0; }

    public boolean hasTl0PicIdx() { return tl0PicIdxAt >= 0; }

    /** T: a TID is present. */
    public boolean hasTid() { return (extensionBits() & 0x20) != 0; }

    /** K: a KEYIDX is present. */
    public boolean hasKeyIdx() { return (extensionBits() & 0x10) != 0; }

    /** M: the PictureID is 15 bits wide (else 7). Meaningful only with a PictureID. */
    public boolean hasLongPictureId() { return pictureIdAt >= 0 && (buf[pictureIdAt] & 0x80) != 0; }

    /** The 7- or 15-bit PictureID, or -1. */
    public int pictureId() {
        if (pictureIdAt < 0) {
            return -1;
        }
        return hasLongPictureId() ? Bytes.u16(buf, pictureIdAt) & 0x7FFF : buf[pictureIdAt] & 0x7F;
    }

    public int tl0PicIdx() { return tl0PicIdxAt < 0 ? -1 : buf[tl0PicIdxAt] & 0xFF; }

    /** Temporal layer index, or -1 without T. */
    public int tid() { return hasTid() ? (buf[tidKeyIdxAt] & 0xFF) >>> 6 : -1; }

    /** Y: layer sync bit; {@code false} without T. */
    public boolean layerSync() { return hasTid() && (buf[tidKeyIdxAt] & 0x20) != 0; }

    public int keyIdx() { return hasKeyIdx() ? buf[tidKeyIdxAt] & 0x1F : -1; }

    /**
     * Overwrites the PictureID in place, keeping its width: {@code pictureId} is reduced modulo
     * 2^15 or 2^7. Returns {@code false} if the descriptor has no PictureID.
     */
    public boolean setPictureId(int pictureId) {
        if (pictureIdAt < 0) {
            return false;
        }
        if (hasLongPictureId()) {
            Bytes.put16(buf, pictureIdAt, 0x8000 | pictureId & 0x7FFF);
        } else {
            buf[pictureIdAt] = (byte) (pictureId & 0x7F);
        }
        return true;
    }

    /** Overwrites TL0PICIDX in place; {@code false} without one. */
    public boolean setTl0PicIdx(int tl0PicIdx) {
        if (tl0PicIdxAt < 0) {
            return false;
        }
        buf[tl0PicIdxAt] = (byte) tl0PicIdx;
        return true;
    }

    /**
     * True if this packet starts a key frame: the start of partition 0 (S = 1, PID = 0) whose
     * VP8 payload header has P = 0 (RFC 7741 §4.3; the inverse key frame flag of RFC 6386 §9.1).
     */
    public boolean isKeyframe() {
        return buf != null && isStartOfPartition() && partitionIndex() == 0 && (buf[vp8PayloadOffset()] & 0x01) == 0;
    }

    /**
     * The same test as {@link #isKeyframe()} on a raw payload, without a view: for callers that
     * only need the answer.
     */
    public static boolean isKeyframe(byte[] buf, int off, int len) {
        if (!Bytes.inBounds(buf, off, len) || len < 1) {
            return false;
        }
        int first = buf[off] & 0xFF;
        if ((first & 0x10) == 0 || (first & 0x07) != 0) {
            return false;
        }
        int p = off + 1;
        int end = off + len;
        if ((first & 0x80) != 0) {
            if (p >= end) {
                return false;
            }
            int ext = buf[p++] & 0xFF;
            if ((ext & 0x80) != 0) {
                if (p >= end) {
                    return false;
                }
                p += (buf[p] & 0x80) != 0 ? 2 : 1;
            }
            if ((ext & 0x40) != 0) {
                p++;
            }
            if ((ext & 0x30) != 0) {
                p++;
            }
        }
        return p < end && (buf[p] & 0x01) == 0;
    }

    /**
     * Width in pixels from the key frame header (RFC 6386 §9.1: 3-byte frame tag, start code
     * 9d 01 2a, then 14-bit little-endian width), or -1 if not a key frame or truncated.
     */
    public int keyframeWidth() { return keyframeDimension(6); }

    /** Height in pixels from the key frame header, or -1. */
    public int keyframeHeight() { return keyframeDimension(8); }

    private int keyframeDimension(int at) {
        if (!isKeyframe() || vp8PayloadLength() < 10) {
            return -1;
        }
        int p = vp8PayloadOffset();
        if ((buf[p + 3] & 0xFF) != 0x9D || (buf[p + 4] & 0xFF) != 0x01 || (buf[p + 5] & 0xFF) != 0x2A) {
            return -1;
        }
        return ((buf[p + at] & 0xFF) | (buf[p + at + 1] & 0xFF) << 8) & 0x3FFF;
    }
}
