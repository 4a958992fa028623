package dev.convene.sfu.room;

import dev.convene.media.routing.simulcast.LayerInfo;
import dev.convene.media.routing.simulcast.SimulcastLayer;
import dev.convene.sfu.TrackDeclaration;
import dev.convene.sfu.TrackInfo;
import dev.convene.sfu.TrackKind;
import dev.convene.sfu.TrackSource;
import dev.convene.sfu.negotiation.Codec;
import dev.convene.sfu.negotiation.OfferedLayer;
import dev.convene.media.routing.speaker.LayerDemand;
import dev.convene.media.routing.speaker.SpeakerActivity;
import java.util.ArrayList;
import java.util.List;

/**
 * A track a participant publishes: its RTP streams ({@link TrackLayer}s — one, or one per
 * simulcast layer, lowest first) and the forwarders that carry it to subscribers.
 */
final class PublishedTrack {

    /**
     * The size assumed for the top layer until a key frame tells (H.264's is never read):
     * Chrome's 720p camera, the common case.
     */
    static final int ASSUMED_TOP_WIDTH = 1280;
    static final int ASSUMED_TOP_HEIGHT = 720;

    private final String trackId;
    private final Participant publisher;
    private final TrackDeclaration declaration;
    private final Codec codec;
    private final TrackLayer[] layers;
    private final SimulcastLayer[] layerStates;
    private final int ridExtensionId;
    private final int repairedRidExtensionId;
    private final List<Forwarder> forwarders = new ArrayList<>();
    private Forwarder[] forwarderArray = new Forwarder[0];
    private boolean muted;
    private int audioLevelExtensionId;
    private SpeakerActivity speakerActivity;
    private LayerDemand layerDemand;
    private TrackInfo info;
    /** The allocator's views of the layers, refilled once per allocation pass ({@link #layerInfos}). */
    private final List<LayerInfo> infos = new ArrayList<>();
    private final List<LayerInfo> infosView;
    /** Scratch for the room's dynacast pass: which layers anyone takes. */
    private final boolean[] wanted;

    /**
     * @param rtxPayloadType the publisher's negotiated RTX payload type for {@code codec}, or -1
     * @param simulcast      the offered simulcast streams, lowest first; empty for one stream
     * @param ridExtensionId, repairedRidExtensionId the rid header extensions' ids (0: none)
     */
    PublishedTrack(String trackId, Participant publisher, TrackDeclaration declaration, Codec codec, int rtxPayloadType,
            List<OfferedLayer> simulcast, int ridExtensionId, int repairedRidExtensionId) {
        this.trackId = trackId;
        this.publisher = publisher;
        this.declaration = declaration;
        this.codec = codec;
        this.ridExtensionId = ridExtensionId;
        this.repairedRidExtensionId = repairedRidExtensionId;
        int count = Math.max(1, simulcast.size());
        this.layers = new TrackLayer[count];
        this.layerStates = new SimulcastLayer[count];
        for (int i = 0; i < count; i++) {
            String rid = simulcast.isEmpty() ? null : simulcast.get(i).rid();
            layers[i] = new TrackLayer(this, i, rid, declaration.kind(), codec, rtxPayloadType);
            layerStates[i] = layers[i].state();
            infos.add(new LayerInfo(i, 0, 0, false, 0));
        }
        infosView = java.util.Collections.unmodifiableList(infos);
        wanted = new boolean[count];
    }

    String trackId() { return trackId; }

    String mid() { return declaration.mid(); }

    TrackKind kind() { return declaration.kind(); }

    Participant publisher() { return publisher; }

    Codec codec() { return codec; }

    /** Its streams, lowest layer first; one without simulcast. */
    TrackLayer[] layers() { return layers; }

    boolean isSimulcast() { return layers.length > 1; }

    int ridExtensionId() { return ridExtensionId; }

    int repairedRidExtensionId() { return repairedRidExtensionId; }

    /** The layer whose media SSRC is {@code ssrc}, or null. */
    TrackLayer layerBySsrc(long ssrc) {
        for (TrackLayer layer : layers) {
            if (layer.mediaSsrc() == ssrc) {
                return layer;
            }
        }
        return null;
    }

    /** The layer named {@code rid} (compared as bytes of the rid header extension), or null. */
    TrackLayer layerByRid(byte[] buf, int off, int len) {
        for (TrackLayer layer : layers) {
            String rid = layer.rid();
            if (rid != null && rid.length() == len) {
                boolean same = true;
                for (int i = 0; i < len && same; i++) {
                    same = rid.charAt(i) == (buf[off + i] & 0xFF);
                }
                if (same) {
                    return layer;
                }
            }
        }
        return null;
    }

    /**
     * The allocator's view of the layers. Without simulcast the one stream counts as sent as
     * soon as it is known: a camera that pauses must not cost its subscribers a key frame wait.
     *
     * <p>The same views on every call, refilled in place (nothing allocated): a caller reads
     * them before it asks again, as the allocation pass does (one demand per track).
     */
    List<LayerInfo> layerInfos(long nowNanos) {
        SimulcastLayer.refresh(layerStates, ASSUMED_TOP_WIDTH, ASSUMED_TOP_HEIGHT, nowNanos, infos);
        if (!isSimulcast()) {
            LayerInfo only = infos.getFirst();
            only.set(0, only.width(), only.height(), layers[0].mediaSsrc() >= 0, only.bitsPerSecond());
            return infosView;
        }
        if (layerDemand == null) {
            return infosView;
        }
        // A layer we paused at the publisher (dynacast) is silent because of us, not because its
        // uplink cannot carry it: it stays available, and choosing it resumes it — also while the
        // publisher takes its time to resume it.
        for (int i = 0; i < infos.size(); i++) {
            LayerInfo info = infos.get(i);
            boolean pausedByUs = (!layerDemand.sent(info.index())
                    || !info.active() && layerDemand.resuming(info.index(), nowNanos))
                    && layers[info.index()].mediaSsrc() >= 0;
            if (pausedByUs) {
                info.set(info.index(), info.width(), info.height(), true, 0);
            }
        }
        return infosView;
    }

    /** Scratch for {@code Participant.updateLayerDemand}, one entry per layer. */
    boolean[] wantedScratch() { return wanted; }

    /** The id of the publisher's RFC 6464 audio level extension, 0 when not negotiated. */
    int audioLevelExtensionId() { return audioLevelExtensionId; }

    void setAudioLevelExtensionId(int id) { this.audioLevelExtensionId = id; }

    /** Where the packet path puts this audio track's levels for the room's speaker detector; null for video. */
    SpeakerActivity speakerActivity() { return speakerActivity; }

    void setSpeakerActivity(SpeakerActivity activity) { this.speakerActivity = activity; }

    /** Which layers the publisher is asked to send (dynacast); created on the room's first look. */
    LayerDemand layerDemand(long nowNanos) {
        if (layerDemand == null) {
            layerDemand = new LayerDemand(layers.length, nowNanos);
        }
        return layerDemand;
    }

    /** Made once per mute state: the allocation pass reads it for every leg. */
    TrackInfo info() {
        TrackInfo current = info;
        if (current == null) {
            current = new TrackInfo(trackId, publisher.participantId(), declaration.mid(), declaration.kind(),
                    declaration.source(), muted);
            info = current;
        }
        return current;
    }

    TrackSource source() { return declaration.source(); }

    boolean muted() { return muted; }

    void setMuted(boolean muted) {
        if (muted != this.muted) {
            this.muted = muted;
            info = null;
        }
    }

    /** A snapshot for the packet path; replaced, never mutated, when subscribers change. */
    Forwarder[] forwarders() { return forwarderArray; }

    void addForwarder(Forwarder f) {
        forwarders.add(f);
        forwarderArray = forwarders.toArray(Forwarder[]::new);
    }

    void removeForwarder(Forwarder f) {
        forwarders.remove(f);
        forwarderArray = forwarders.toArray(Forwarder[]::new);
    }
}
