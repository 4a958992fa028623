package dev.convene.media.core.rtp;

/**
 * The client-to-mixer audio level header extension (RFC 6464 §3).
 *
 * <pre>
 *  0 1 2 3 4 5 6 7
 * +-+-+-+-+-+-+-+-+
 * |V|    level    |
 * +-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>V is the voice-activity flag; level is 0–127 in -dBov (0 loudest, 127 silence). The id is
 * negotiated in SDP, so every method takes it.
 */
public final class AudioLevelExtension {
    /** RFC 6464 §3: 127 is -127 dBov, which is treated as silence. */
    public static final int SILENCE = 127;

    private AudioLevelExtension() {}

    /** The level in -dBov (0–127), or -1 if the packet carries no such extension. */
    public static int level(RtpPacket packet, int id) {
        int at = dataOffset(packet, id);
        return at < 0 ? -1 : packet.buffer()[at] & 0x7F;
    }

    /** The V flag; {@code false} when the extension is absent. */
    public static boolean voiceActivity(RtpPacket packet, int id) {
        int at = dataOffset(packet, id);
        return at >= 0 && (packet.buffer()[at] & 0x80) != 0;
    }

    /** Rewrites the element in place; {@code false} if it is absent. */
    public static boolean write(RtpPacket packet, int id, boolean voiceActivity, int level) {
        int at = dataOffset(packet, id);
        if (at < 0) {
            return false;
        }
        int clamped = Math.max(0, Math.min(SILENCE, level));
        packet.buffer()[at] = (byte) ((voiceActivity ? 0x80 : 0) | clamped);
        return true;
    }

    /** A two-byte-form element may have no data at all; such an element carries no level. */
    private static int dataOffset(RtpPacket packet, int id) {
        int at = packet.extensionOffset(id);
        return at >= 0 && packet.extensionLength(id) >= 1 ? at : -1;
    }
}
