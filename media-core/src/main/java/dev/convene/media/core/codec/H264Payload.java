package dev.convene.media.core.codec;

import dev.convene.media.core.Bytes;

/**
 * Key frame detection in H.264 RTP payloads (RFC 6184 §5). A packet counts as a key frame
 * when it carries an IDR slice (NAL type 5) or an SPS (7), as a single NAL unit, inside a
 * STAP-A (24), or as the start fragment of an FU-A (28).
 */
public final class H264Payload {
    public static final int NAL_IDR = 5;
    public static final int NAL_SPS = 7;
    public static final int NAL_PPS = 8;
    public static final int STAP_A = 24;
    public static final int FU_A = 28;

    private H264Payload() {}

    /** The NAL unit type of the payload's first byte (RFC 6184 §5.3), or -1 if empty. */
    public static int nalType(byte[] buf, int off, int len) {
        return Bytes.inBounds(buf, off, len) && len > 0 ? buf[off] & 0x1F : -1;
    }

    public static boolean isKeyframe(byte[] buf, int off, int len) {
        int type = nalType(buf, off, len);
        if (type < 0) {
            return false;
        }
        if (type == STAP_A) {
            // RFC 6184 §5.7.1: STAP-A header, then (16-bit NALU size, NALU) repeated.
            int p = off + 1;
            int end = off + len;
            while (p + 2 < end) {
                int size = Bytes.u16(buf, p);
                p += 2;
                if (size == 0 || size > end - p) {
                    return false;
                }
                if (isKeyNal(buf[p] & 0x1F)) {
                    return true;
                }
                p += size;
            }
            return false;
        }
        if (type == FU_A) {
            // RFC 6184 §5.8: FU indicator, then FU header |S|E|R|Type|.
            if (len < 2) {
                return false;
            }
            int fuHeader = buf[off + 1] & 0xFF;
            return (fuHeader & 0x80) != 0 && isKeyNal(fuHeader & 0x1F);
        }
        return isKeyNal(type);
    }

    private static boolean isKeyNal(int type) {
        return type == NAL_IDR || type == NAL_SPS;
    }
}
