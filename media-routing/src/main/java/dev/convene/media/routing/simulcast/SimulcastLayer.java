package dev.convene.media.routing.simulcast;

import dev.convene.media.core.codec.Codec;
import dev.convene.media.core.codec.Vp8PayloadDescriptor;
import dev.convene.media.core.rtp.RtpPacket;
import dev.convene.media.routing.BitrateMeter;
import java.util.ArrayList;
import java.util.List;

/**
 * What the SFU knows about one simulcast layer a publisher sends: when its last packet came
 * (a layer silent for {@link #ACTIVITY_TIMEOUT_NANOS} is off — a publisher's encoder drops its
 * top layers when its uplink shrinks), its bitrate, and its picture size, read from the VP8 key
 * frame header. Allocation-free per packet. Not thread-safe: confined to the publisher's loop.
 */
public final class SimulcastLayer {

    /** A layer with no packet for this long is taken as switched off by the publisher. */
    public static final long ACTIVITY_TIMEOUT_NANOS = 1_000_000_000L;

    private final int index;
    private final Codec codec;
    private final Vp8PayloadDescriptor vp8 = new Vp8PayloadDescriptor();
    private final BitrateMeter bitrate = new BitrateMeter();
    private long lastPacketNanos = Long.MIN_VALUE;
    private int width;
    private int height;

    /** @param index 0 for the lowest resolution */
    public SimulcastLayer(int index, Codec codec) {
        this.index = index;
        this.codec = codec;
    }

    /** A routed packet of this layer (RTX already restored). */
    public void onPacket(RtpPacket packet, long nowNanos) {
        lastPacketNanos = nowNanos;
        bitrate.record(packet.length(), nowNanos);
        if (codec == Codec.VP8 && codec.isKeyframe(packet)
                && vp8.wrap(packet.buffer(), packet.payloadOffset(), packet.payloadLength())) {
            int w = vp8.keyframeWidth();
            int h = vp8.keyframeHeight();
            if (w > 0 && h > 0) {
                width = w;
                height = h;
            }
        }
    }

    /** The picture size declared out of band (H.264 carries none we read); a key frame's size wins. */
    public void declareSize(int width, int height) {
        if (this.width == 0) {
            this.width = width;
            this.height = height;
        }
    }

    public int index() { return index; }

    public boolean isActive(long nowNanos) {
        return lastPacketNanos != Long.MIN_VALUE && nowNanos - lastPacketNanos < ACTIVITY_TIMEOUT_NANOS;
    }

    /** Pixels from the last key frame, 0 while unknown. */
    public int width() { return width; }

    public int height() { return height; }

    public long bitsPerSecond(long nowNanos) { return bitrate.bitsPerSecond(nowNanos); }

    /**
     * The allocator's view of {@code layers} (lowest first). A layer whose size is not known yet
     * is estimated from the nearest known one, a factor of 2 per step as Chrome's q/h/f are
     * (scaleResolutionDownBy 4/2/1); with none known, from {@code assumedTop} for the highest.
     */
    public static List<LayerInfo> infos(SimulcastLayer[] layers, int assumedTopWidth, int assumedTopHeight,
            long nowNanos) {
        List<LayerInfo> infos = new ArrayList<>(layers.length);
        for (int i = 0; i < layers.length; i++) {
            infos.add(new LayerInfo(i, 0, 0, false, 0));
        }
        refresh(layers, assumedTopWidth, assumedTopHeight, nowNanos, infos);
        return infos;
    }

    /**
     * {@link #infos} into views made before, one per layer in the same order: what the
     * allocation pass does, so that it allocates nothing.
     */
    public static void refresh(SimulcastLayer[] layers, int assumedTopWidth, int assumedTopHeight, long nowNanos,
            List<LayerInfo> into) {
        int refIndex = layers.length - 1;
        int refWidth = assumedTopWidth;
        int refHeight = assumedTopHeight;
        for (int i = layers.length - 1; i >= 0; i--) {
            if (layers[i].width > 0) {
                refIndex = i;
                refWidth = layers[i].width;
                refHeight = layers[i].height;
                break;
            }
        }
        for (int i = 0; i < layers.length; i++) {
            SimulcastLayer layer = layers[i];
            int w = layer.width;
            int h = layer.height;
            if (w == 0) {
                int shift = refIndex - layer.index;
                w = shift >= 0 ? refWidth >> shift : refWidth << -shift;
                h = shift >= 0 ? refHeight >> shift : refHeight << -shift;
            }
            into.get(i).set(layer.index, w, h, layer.isActive(nowNanos), layer.bitsPerSecond(nowNanos));
        }
    }
}
