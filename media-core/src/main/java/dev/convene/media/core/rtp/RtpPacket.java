package dev.convene.media.core.rtp;

import dev.convene.media.core.Bytes;

/**
 * A reusable, mutable view of one RTP packet (RFC 3550 §5.1) over {@code (buffer, offset, length)}.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |V=2|P|X|  CC   |M|     PT      |       sequence number         |
 * |                           timestamp                           |
 * |           synchronization source (SSRC) identifier            |
 * |            contributing source (CSRC) identifiers             |
 * |                             ....                              |
 * </pre>
 *
 * <p>{@link #wrap} validates everything whose length could run past the end (CSRC list,
 * header extension, padding) and returns {@code false} instead of throwing; after a
 * successful wrap every accessor is safe. Nothing here allocates.
 *
 * <p>Conventions: SSRCs, CSRCs and timestamps are unsigned 32-bit values carried in a
 * {@code long} in {@code [0, 2^32)}; setters write the low 32 bits. Methods named
 * {@code ...Offset()} return an absolute index into {@link #buffer()} (the base offset
 * already added); lengths are byte counts.
 *
 * <p>Header extensions (RFC 8285): the one-byte form (profile {@code 0xBEDE}, ids 1–14) and the
 * two-byte form (profile {@code 0x100x}, ids 1–255) are understood; any other profile is
 * kept as opaque bytes and has no elements.
 */
public final class RtpPacket {
    public static final int FIXED_HEADER_LENGTH = 12;
    public static final int VERSION = 2;
    public static final int ONE_BYTE_EXTENSION_PROFILE = 0xBEDE;
    /** Two-byte profile: {@code 0x100} in the top 12 bits, "appbits" in the low 4 (RFC 8285 §4.3). */
    public static final int TWO_BYTE_EXTENSION_PROFILE = 0x1000;

    private byte[] buf;
    private int off;
    private int len;
    private int headerLength;
    private int paddingLength;
    /** Absolute index of the extension's data (after its 4-byte header), or -1. */
    private int extensionDataOffset = -1;
    private int extensionDataLength;
    private int extensionProfile = -1;

    /**
     * Points this view at a packet. Returns {@code false}, leaving the view empty, when the bytes
     * are not a well-formed RTP packet: out of bounds, shorter than 12 bytes, version not 2, a
     * CSRC list or header extension running past the end, or padding that is zero or longer
     * than the payload.
     */
    public boolean wrap(byte[] buffer, int offset, int length) {
        int header = headerLength(buffer, offset, length);
        if (header < 0) {
            return clear();
        }
        int padding = 0;
        if ((buffer[offset] & 0x20) != 0) {
            if (length == header) {
                return clear();
            }
            // RFC 3550 §5.1: the last octet counts the padding, itself included, so 0 is invalid.
            padding = buffer[offset + length - 1] & 0xFF;
            if (padding == 0 || padding > length - header) {
                return clear();
            }
        }
        this.buf = buffer;
        this.off = offset;
        this.len = length;
        this.headerLength = header;
        this.paddingLength = padding;
        if ((buffer[offset] & 0x10) != 0) {
            int extHeader = offset + FIXED_HEADER_LENGTH + 4 * (buffer[offset] & 0x0F);
            this.extensionProfile = Bytes.u16(buffer, extHeader);
            this.extensionDataOffset = extHeader + 4;
            this.extensionDataLength = 4 * Bytes.u16(buffer, extHeader + 2);
        } else {
            this.extensionProfile = -1;
            this.extensionDataOffset = -1;
            this.extensionDataLength = 0;
        }
        return true;
    }

    private boolean clear() {
        buf = null;
        off = 0;
        len = 0;
        headerLength = 0;
        paddingLength = 0;
        extensionDataOffset = -1;
        extensionDataLength = 0;
        extensionProfile = -1;
        return false;
    }

    /**
     * The header length (fixed header, CSRCs and header extension) of the RTP packet at
     * {@code buf[off..off+len)}, or -1 if it is not well formed up to the end of its header.
     * Padding is not checked here: SRTP needs the header length of packets whose end is
     * still encrypted or carries an authentication tag.
     */
    public static int headerLength(byte[] buf, int off, int len) {
        if (!Bytes.inBounds(buf, off, len) || len < FIXED_HEADER_LENGTH) {
            return -1;
        }
        int first = buf[off] & 0xFF;
        if (first >>> 6 != VERSION) {
            return -1;
        }
        int header = FIXED_HEADER_LENGTH + 4 * (first & 0x0F);
        if ((first & 0x10) != 0) {
            if (header + 4 > len) {
                return -1;
            }
            header += 4 + 4 * Bytes.u16(buf, off + header + 2);
        }
        return header <= len ? header : -1;
    }

    public byte[] buffer() { return buf; }

    /** Absolute index of the packet's first byte in {@link #buffer()}. */
    public int offset() { return off; }

    public int length() { return len; }

    public int version() { return (buf[off] & 0xFF) >>> 6; }

    public boolean hasPadding() { return (buf[off] & 0x20) != 0; }

    public boolean hasExtension() { return (buf[off] & 0x10) != 0; }

    public int csrcCount() { return buf[off] & 0x0F; }

    public boolean marker() { return (buf[off + 1] & 0x80) != 0; }

    public int payloadType() { return buf[off + 1] & 0x7F; }

    public int sequenceNumber() { return Bytes.u16(buf, off + 2); }

    public long timestamp() { return Bytes.u32(buf, off + 4); }

    public long ssrc() { return Bytes.u32(buf, off + 8); }

    /** The {@code index}-th CSRC; {@code index} must be below {@link #csrcCount()}. */
    public long csrc(int index) {
        if (index < 0 || index >= csrcCount()) {
            throw new IndexOutOfBoundsException(index);
        }
        return Bytes.u32(buf, off + FIXED_HEADER_LENGTH + 4 * index);
    }

    /** Fixed header + CSRCs + header extension, in bytes. */
    public int headerLength() { return headerLength; }

    /** Absolute index of the payload in {@link #buffer()}. */
    public int payloadOffset() { return off + headerLength; }

    /** Payload bytes, padding excluded. */
    public int payloadLength() { return len - headerLength - paddingLength; }

    /** Padding bytes at the end, the count byte included; 0 without the P bit. */
    public int paddingLength() { return paddingLength; }

    public void setMarker(boolean marker) {
        buf[off + 1] = (byte) (marker ? buf[off + 1] | 0x80 : buf[off + 1] & 0x7F);
    }

    public void setPayloadType(int payloadType) {
        buf[off + 1] = (byte) (buf[off + 1] & 0x80 | payloadType & 0x7F);
    }

    public void setSequenceNumber(int sequenceNumber) { Bytes.put16(buf, off + 2, sequenceNumber); }

    public void setTimestamp(long timestamp) { Bytes.put32(buf, off + 4, timestamp); }

    public void setSsrc(long ssrc) { Bytes.put32(buf, off + 8, ssrc); }

    // ---- header extensions (RFC 8285) ----

    /** The 16-bit "defined by profile" field of the header extension, or -1 without one. */
    public int extensionProfile() { return extensionProfile; }

    /** Absolute index of the header extension's data (after its 4-byte header), or -1. */
    public int extensionDataOffset() { return extensionDataOffset; }

    /** Bytes of header extension data, excluding its 4-byte header; 0 without one. */
    public int extensionDataLength() { return extensionDataLength; }

    public boolean hasOneByteExtensions() { return extensionProfile == ONE_BYTE_EXTENSION_PROFILE; }

    public boolean hasTwoByteExtensions() { return (extensionProfile & 0xFFF0) == TWO_BYTE_EXTENSION_PROFILE; }

    /**
     * Absolute index of the data of the extension element {@code id}, or -1 if the packet has
     * no such element (or its extension block is malformed before reaching it).
     */
    public int extensionOffset(int id) {
        long found = findExtension(id);
        return found < 0 ? -1 : (int) (found >>> 32);
    }

    /** Data length in bytes of the extension element {@code id}, or -1 if absent. */
    public int extensionLength(int id) {
        long found = findExtension(id);
        return found < 0 ? -1 : (int) found;
    }

    /**
     * Overwrites the data of extension element {@code id} with {@code src[srcOff..srcOff+srcLen)},
     * in place. Returns {@code false}, changing nothing, if the element is absent or its data
     * length is not exactly {@code srcLen}.
     */
    public boolean setExtension(int id, byte[] src, int srcOff, int srcLen) {
        long found = findExtension(id);
        if (found < 0 || (int) found != srcLen || !Bytes.inBounds(src, srcOff, srcLen)) {
            return false;
        }
        System.arraycopy(src, srcOff, buf, (int) (found >>> 32), srcLen);
        return true;
    }

    /**
     * Replaces the header extension block, in place, with a one-byte-form block (RFC 8285 §4.2)
     * holding element {@code id} with the 16-bit {@code value} and, if the packet has element
     * {@code keepId} (data of at most 16 bytes), that element renumbered as {@code keepAsId}.
     * The payload moves to follow the new header; the view is re-wrapped over the result.
     *
     * <p>Why replace rather than add: a forwarded packet carries its publisher's element ids,
     * which mean nothing on the subscriber's transport — its SDP negotiated its own, and a stale
     * element could carry an id the subscriber reads as something else.
     *
     * @param capacity bytes from {@link #offset()} the packet may grow into
     * @param keepId   0 to keep nothing
     * @return the new length, or -1 (nothing changed) if it would not fit {@code capacity} or an
     *     id is outside 1–14
     */
    public int rewriteExtensions(int capacity, int id, int value, int keepId, int keepAsId) {
        if (id < 1 || id > 14 || keepId != 0 && (keepAsId < 1 || keepAsId > 14 || keepAsId == id)) {
            return -1;
        }
        long kept = keepId > 0 ? findExtension(keepId) : -1;
        int keptLength = kept < 0 || (int) kept > 16 || (int) kept < 1 ? 0 : (int) kept;
        int dataLength = 3 + (keptLength > 0 ? 1 + keptLength : 0);
        int newHeader = FIXED_HEADER_LENGTH + 4 * csrcCount() + 4 + (dataLength + 3 & ~3);
        int rest = len - headerLength;
        int newLength = newHeader + rest;
        if (newLength > capacity || !Bytes.inBounds(buf, off, capacity)) {
            return -1;
        }
        if (keptLength > 0) {
            System.arraycopy(buf, (int) (kept >>> 32), keptScratch, 0, keptLength);
        }
        System.arraycopy(buf, off + headerLength, buf, off + newHeader, rest);
        int p = off + FIXED_HEADER_LENGTH + 4 * csrcCount();
        Bytes.put16(buf, p, ONE_BYTE_EXTENSION_PROFILE);
        Bytes.put16(buf, p + 2, (newHeader - (p - off) - 4) / 4);
        p += 4;
        buf[p++] = (byte) (id << 4 | 1);
        Bytes.put16(buf, p, value);
        p += 2;
        if (keptLength > 0) {
            buf[p++] = (byte) (keepAsId << 4 | keptLength - 1);
            System.arraycopy(keptScratch, 0, buf, p, keptLength);
            p += keptLength;
        }
        while (p < off + newHeader) {
            buf[p++] = 0;
        }
        buf[off] |= 0x10;
        wrap(buf, off, newLength);
        return newLength;
    }

    private final byte[] keptScratch = new byte[16];

    /** Packs (absolute data offset << 32 | data length), or -1; keeps lookups allocation-free. */
    private long findExtension(int id) {
        if (extensionDataOffset < 0 || id <= 0) {
            return -1;
        }
        boolean oneByte = hasOneByteExtensions();
        if (!oneByte && !hasTwoByteExtensions()) {
            return -1;
        }
        if (oneByte && id > 14) {
            return -1;
        }
        int p = extensionDataOffset;
        int end = extensionDataOffset + extensionDataLength;
        while (p < end) {
            int b = buf[p] & 0xFF;
            if (b == 0) { // padding between elements (RFC 8285 §4.2, §4.3)
                p++;
                continue;
            }
            int elementId;
            int dataLength;
            int data;
            if (oneByte) {
                elementId = b >>> 4;
                if (elementId == 15) { // reserved: stop parsing (RFC 8285 §4.2)
                    return -1;
                }
                dataLength = (b & 0x0F) + 1;
                data = p + 1;
            } else {
                if (p + 2 > end) {
                    return -1;
                }
                elementId = b;
                dataLength = buf[p + 1] & 0xFF;
                data = p + 2;
            }
            if (dataLength > end - data) {
                return -1;
            }
            if (elementId == id) {
                return (long) data << 32 | dataLength;
            }
            p = data + dataLength;
        }
        return -1;
    }

    @Override
    public String toString() {
        if (buf == null) {
            return "RtpPacket[empty]";
        }
        return "RtpPacket[ssrc=" + ssrc() + " pt=" + payloadType() + " seq=" + sequenceNumber()
                + " ts=" + timestamp() + " m=" + marker() + " len=" + len + "]";
    }
}
