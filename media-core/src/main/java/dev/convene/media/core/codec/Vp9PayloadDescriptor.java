package dev.convene.media.core.codec;

import dev.convene.media.core.Bytes;

/**
 * The fields of the VP9 payload descriptor (RFC 9628 §4.2) needed to find switch points.
 *
 * <pre>
 *       0 1 2 3 4 5 6 7
 *      +-+-+-+-+-+-+-+-+
 *      |I|P|L|F|B|E|V|Z| (REQUIRED)
 *      +-+-+-+-+-+-+-+-+
 * I:   |M| PICTURE ID  | (RECOMMENDED)
 *      +-+-+-+-+-+-+-+-+
 * M:   | EXTENDED PID  | (RECOMMENDED)
 *      +-+-+-+-+-+-+-+-+
 * L:   |  TID  |U| SID |D| (CONDITIONALLY RECOMMENDED)
 *      +-+-+-+-+-+-+-+-+
 * </pre>
 *
 * (The L byte is |TID(3)|U|SID(3)|D|.)
 */
public final class Vp9PayloadDescriptor {
    private Vp9PayloadDescriptor() {}

    /**
     * True for the first packet of a key frame's base spatial layer: B (start of frame) set,
     * P (inter-picture predicted) clear, and SID 0 when layer indices are present.
     */
    public static boolean isKeyframe(byte[] buf, int off, int len) {
        if (!Bytes.inBounds(buf, off, len) || len < 1) {
            return false;
        }
        int first = buf[off] & 0xFF;
        boolean interPredicted = (first & 0x40) != 0;
        boolean startOfFrame = (first & 0x08) != 0;
        if (interPredicted || !startOfFrame) {
            return false;
        }
        int p = off + 1;
        int end = off + len;
        if ((first & 0x80) != 0) {
            if (p >= end) {
                return false;
            }
            p += (buf[p] & 0x80) != 0 ? 2 : 1;
        }
        if ((first & 0x20) == 0) {
            return p <= end;
        }
        if (p >= end) {
            return false;
        }
        int spatialId = (buf[p] & 0x0E) >>> 1;
        return spatialId == 0;
    }
}
