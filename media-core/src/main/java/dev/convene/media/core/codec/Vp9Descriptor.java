package dev.convene.media.core.codec;

/**
 * A reusable view of one VP9 payload descriptor (RFC 9628 §4.2): the layer indices and frame
 * boundaries an SFU drops layers by, and the per-layer picture sizes of the scalability
 * structure (§4.2.1) when a packet carries one. {@link #wrap} reads the fields into this object
 * (no allocation), so one instance serves every packet of a loop.
 *
 * <pre>
 *   |I|P|L|F|B|E|V|Z|        I: picture id present, P: inter-picture predicted, L: layer indices,
 *   |M| PICTURE ID  |        F: flexible mode, B/E: start/end of a layer frame, V: SS present
 *   | EXTENDED PID  |        (if M)
 *   |TID|U| SID |D|          (if L) U: switching up point, D: inter-layer dependency
 *   |   TL0PICIDX   |        (if L and not F)
 *   |P_DIFF       |N|        (if F and P, up to 3)
 *   |N_S|Y|G|-|-|-|          (if V) then (N_S+1) × WIDTH(16) HEIGHT(16) if Y, then N_G and the group
 * </pre>
 */
public final class Vp9Descriptor {

    /** Spatial layers the SS can describe (N_S is 3 bits). */
    public static final int MAX_SPATIAL_LAYERS = 8;

    private boolean interPicture;
    private boolean hasLayerIndices;
    private boolean startOfFrame;
    private boolean endOfFrame;
    private boolean switchingUpPoint;
    private boolean interLayerDependency;
    private int temporalId;
    private int spatialId;
    private int ssLayers;
    private final int[] widths = new int[MAX_SPATIAL_LAYERS];
    private final int[] heights = new int[MAX_SPATIAL_LAYERS];

    /**
     * Reads the descriptor at the start of the RTP payload {@code buf[off..off+len)}.
     *
     * @return false if the payload is too short for the descriptor its flags announce
     */
    public boolean wrap(byte[] buf, int off, int len) {
        if (buf == null || off < 0 || len < 1 || off + len > buf.length) {
            return false;
        }
        int end = off + len;
        int first = buf[off] & 0xFF;
        boolean hasPictureId = (first & 0x80) != 0;
        interPicture = (first & 0x40) != 0;
        hasLayerIndices = (first & 0x20) != 0;
        boolean flexible = (first & 0x10) != 0;
        startOfFrame = (first & 0x08) != 0;
        endOfFrame = (first & 0x04) != 0;
        boolean hasSs = (first & 0x02) != 0;
        temporalId = 0;
        spatialId = 0;
        switchingUpPoint = false;
        interLayerDependency = false;
        ssLayers = 0;
        int p = off + 1;
        if (hasPictureId) {
            if (p >= end) {
                return false;
            }
            p += (buf[p] & 0x80) != 0 ? 2 : 1;
        }
        if (hasLayerIndices) {
            if (p >= end) {
                return false;
            }
            int l = buf[p++] & 0xFF;
            temporalId = l >>> 5;
            switchingUpPoint = (l & 0x10) != 0;
            spatialId = (l >>> 1) & 0x07;
            interLayerDependency = (l & 0x01) != 0;
            if (!flexible) {
                p++; // TL0PICIDX
            }
        }
        if (flexible && interPicture) {
            for (int i = 0; i < 3; i++) {
                if (p >= end) {
                    return false;
                }
                if ((buf[p++] & 0x01) == 0) {
                    break;
                }
            }
        }
        if (hasSs) {
            if (p >= end) {
                return false;
            }
            int ss = buf[p++] & 0xFF;
            int layers = (ss >>> 5) + 1;
            if ((ss & 0x10) != 0) {
                if (p + 4 * layers > end) {
                    return false;
                }
                for (int i = 0; i < layers; i++) {
                    widths[i] = (buf[p] & 0xFF) << 8 | buf[p + 1] & 0xFF;
                    heights[i] = (buf[p + 2] & 0xFF) << 8 | buf[p + 3] & 0xFF;
                    p += 4;
                }
                ssLayers = layers;
            }
        }
        return p <= end;
    }

    /** P: the frame references an earlier picture (false on a key frame's layers). */
    public boolean isInterPicture() { return interPicture; }

    /** L: TID/SID are present; without them the stream is a single layer. */
    public boolean hasLayerIndices() { return hasLayerIndices; }

    /** B: the first packet of a layer frame. */
    public boolean isStartOfFrame() { return startOfFrame; }

    /** E: the last packet of a layer frame. */
    public boolean isEndOfFrame() { return endOfFrame; }

    public boolean isSwitchingUpPoint() { return switchingUpPoint; }

    public boolean hasInterLayerDependency() { return interLayerDependency; }

    public int temporalId() { return temporalId; }

    public int spatialId() { return spatialId; }

    /** Spatial layers whose size this packet's SS gives (0 when it carries none). */
    public int ssLayers() { return ssLayers; }

    /** Width of spatial layer {@code sid} from this packet's SS; valid for {@code sid < ssLayers()}. */
    public int width(int sid) { return widths[sid]; }

    public int height(int sid) { return heights[sid]; }
}
