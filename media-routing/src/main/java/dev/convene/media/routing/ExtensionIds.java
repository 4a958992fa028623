package dev.convene.media.routing;

import dev.convene.media.core.rtp.RtpPacket;

/**
 * Renumbers RTP header extension elements in place. A forwarded packet keeps its publisher's
 * extension ids, but ids are negotiated per transport: an element the subscriber must read (the
 * audio level) gets the subscriber's id, and an element that happened to carry that id gets the
 * publisher's old one, which the subscriber did not negotiate and so ignores (RFC 8285 §4.1).
 * Allocation-free; changes nothing in a malformed extension block.
 */
public final class ExtensionIds {

    private ExtensionIds() {}

    /**
     * Swaps ids {@code a} and {@code b} in {@code packet}'s extension elements.
     *
     * @return whether the block was walked to its end (false for a malformed one, left as it was)
     */
    public static boolean swap(RtpPacket packet, int a, int b) {
        if (a == b || packet.extensionDataOffset() < 0) {
            return true;
        }
        boolean oneByte = packet.hasOneByteExtensions();
        if (!oneByte && !packet.hasTwoByteExtensions() || oneByte && (a > 14 || b > 14)) {
            return false;
        }
        byte[] buf = packet.buffer();
        int start = packet.extensionDataOffset();
        int end = start + packet.extensionDataLength();
        // Validate first, so a malformed block is never half rewritten.
        if (!walk(buf, start, end, oneByte, -1, -1)) {
            return false;
        }
        return walk(buf, start, end, oneByte, a, b);
    }

    private static boolean walk(byte[] buf, int p, int end, boolean oneByte, int a, int b) {
        while (p < end) {
            int head = buf[p] & 0xFF;
            if (head == 0) {
                p++;
                continue;
            }
            int id;
            int length;
            int data;
            if (oneByte) {
                id = head >>> 4;
                if (id == 15) {
                    return true;
                }
                length = (head & 0x0F) + 1;
                data = p + 1;
            } else {
                if (p + 2 > end) {
                    return false;
                }
                id = head;
                length = buf[p + 1] & 0xFF;
                data = p + 2;
            }
            if (length > end - data) {
                return false;
            }
            if (a > 0 && (id == a || id == b)) {
                int to = id == a ? b : a;
                buf[p] = (byte) (oneByte ? to << 4 | head & 0x0F : to);
            }
            p = data + length;
        }
        return true;
    }
}
