package dev.convene.sfu.room;

import dev.convene.media.core.rtcp.RtcpNack;
import dev.convene.media.core.rtp.RtpPacket;
import dev.convene.media.routing.OutboundStream;
import dev.convene.media.routing.PayloadTypeMap;
import dev.convene.media.routing.Retransmitter;
import dev.convene.media.routing.RtpStreamRewriter;
import dev.convene.media.routing.rtcp.SendStatistics;
import dev.convene.media.routing.simulcast.Allocator;
import dev.convene.media.routing.simulcast.LayerChoice;
import dev.convene.media.routing.simulcast.LayerSelector;
import dev.convene.media.routing.simulcast.LayerSettings;
import dev.convene.media.routing.svc.SvcLayerFilter;
import dev.convene.media.routing.svc.SvcLayers;
import dev.convene.sfu.negotiation.OfferedLayer;
import dev.convene.sfu.ParticipantListener;
import dev.convene.sfu.PublishResult;
import dev.convene.sfu.SdpRejectedException;
import dev.convene.sfu.SubscribedTrack;
import dev.convene.sfu.TrackDeclaration;
import dev.convene.sfu.TrackInfo;
import dev.convene.sfu.TrackKind;
import dev.convene.sfu.TrackSource;
import dev.convene.sfu.negotiation.AnsweredMedia;
import dev.convene.media.transport.dtls.DtlsRole;
import dev.convene.sfu.negotiation.Codec;
import dev.convene.sfu.negotiation.DtlsSetup;
import dev.convene.sfu.negotiation.OfferedMedia;
import dev.convene.sfu.negotiation.PublisherOffer;
import dev.convene.sfu.negotiation.SdpTranslator;
import dev.convene.sfu.negotiation.SfuCodecs;
import dev.convene.sfu.negotiation.SubscriberAnswer;
import dev.convene.sfu.negotiation.SubscriberLine;
import dev.convene.sfu.transport.WebRtcTransport;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One participant's media on this node: what it publishes (publisher transport), what it
 * receives (subscriber transport, renegotiated by the SFU), and the wiring of its tracks and
 * subscriptions to the node's {@link PacketRouter}, which moves the packets.
 * Every method runs on the media event loop; {@link LoopParticipantSession} hops onto it.
 */
final class Participant implements WebRtcTransport.Listener, SubscriberFeedback.Handler {

    private static final Logger log = LoggerFactory.getLogger(Participant.class);

    private final String participantId;
    private final Room room;
    private final RoomContext ctx;
    private final ParticipantListener listener;
    private final WebRtcTransport publisherTransport;
    private final WebRtcTransport subscriberTransport;

    private final Map<String, TrackDeclaration> declarations = new HashMap<>();
    private final Map<String, PublishedTrack> tracksByMid = new LinkedHashMap<>();
    private final SsrcTable tracksBySsrc = new SsrcTable();
    private final Map<Integer, PublishedTrack> midExtensionIds = new HashMap<>();

    private final List<SubscriberSlot> slots = new ArrayList<>();
    private final Map<PublishedTrack, Forwarder> subscriptions = new HashMap<>();
    private final Map<Long, Forwarder> forwardersByOutputSsrc = new HashMap<>();
    private int nextMid;
    private long subscriberSdpVersion;
    private boolean subscriberOfferOutstanding;
    private boolean subscriberRenegotiationNeeded;
    private boolean closed;

    private final RtpPacket inbound = new RtpPacket();
    private final SubscriberFeedback subscriberFeedback = new SubscriberFeedback();
    private long feedbackNanos;
    private final RtcpReporter rtcp = new RtcpReporter();
    private long feedbackTicks;

    /** Allocation runs every this many feedback ticks (20 ms each): 5 times a second. */
    private static final int ALLOCATION_EVERY_TICKS = 10;

    Participant(String participantId, Room room, RoomContext ctx, ParticipantListener listener) {
        this.participantId = participantId;
        this.room = room;
        this.ctx = ctx;
        this.listener = listener;
        this.publisherTransport = ctx.newTransport(participantId + "/pub", this);
        this.subscriberTransport = ctx.newTransport(participantId + "/sub", this);
    }

    String participantId() {
        return participantId;
    }

    Collection<PublishedTrack> tracks() {
        return tracksByMid.values();
    }

    WebRtcTransport publisherTransport() {
        return publisherTransport;
    }

    WebRtcTransport subscriberTransport() {
        return subscriberTransport;
    }

    // ---- control, from signaling (via the loop) ----

    void declareTrack(TrackDeclaration declaration) {
        declarations.put(declaration.mid(), declaration);
    }

    PublishResult onPublisherOffer(String sdp) throws SdpRejectedException {
        PublisherOffer offer = SdpTranslator.readPublisherOffer(sdp);
        DtlsRole role = DtlsSetup.forOffer(offer.transport().setup());
        try {
            publisherTransport.setRemote(offer.transport(), role);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new SdpRejectedException("unusable transport parameters: " + e.getMessage(), e);
        }

        List<AnsweredMedia> answered = new ArrayList<>();
        List<TrackInfo> added = new ArrayList<>();
        List<TrackInfo> removed = new ArrayList<>();
        List<PublishedTrack> newTracks = new ArrayList<>();
        Map<String, PublishedTrack> stillPublished = new HashMap<>();
        for (OfferedMedia media : offer.media()) {
            Codec codec = media.sending() ? SfuCodecs.choose(media).orElse(null) : null;
            PublishedTrack track = tracksByMid.get(media.mid());
            int rtxPayloadType = codec == null ? -1
                    : track != null ? track.layers()[0].inbound().rtx().rtxPayloadType() : media.rtxPayloadTypeFor(codec);
            answered.add(new AnsweredMedia(media, codec, rtxPayloadType));
            if (codec == null) {
                continue;
            }
            if (track == null) {
                // A track keeps the layers of the offer that created it; Chrome never changes them on a renegotiation.
                track = new PublishedTrack(ctx.newId("TR_"), this, declarationFor(media), codec, rtxPayloadType,
                        media.layers(), media.ridExtensionId(), media.repairedRidExtensionId());
                newTracks.add(track);
            }
            stillPublished.put(media.mid(), track);
            if (track.isSimulcast()) {
                bindSignalledLayers(track, media);
            } else {
                for (long ssrc : media.ssrcs()) {
                    tracksBySsrc.put(ssrc, track.layers()[0]);
                }
                for (long ssrc : media.rtxSsrcs()) {
                    tracksBySsrc.put(ssrc, track.layers()[0]);
                }
            }
            if (media.midExtensionId() > 0) {
                midExtensionIds.put(media.midExtensionId(), track);
            }
        }
        for (PublishedTrack old : List.copyOf(tracksByMid.values())) {
            if (stillPublished.get(old.mid()) != old) {
                endTrack(old);
                removed.add(old.info());
            }
        }
        for (PublishedTrack track : newTracks) {
            tracksByMid.put(track.mid(), track);
            added.add(track.info());
            log.info("event=track_published meeting={} participant={} track={} kind={} mid={}",
                    room.meetingId(), participantId, track.trackId(), track.kind(), track.mid());
        }
        String answer = SdpTranslator.writePublisherAnswer(publisherTransport.localParams(), ctx.candidates(),
                DtlsSetup.answerSetup(role), answered);
        for (PublishedTrack track : newTracks) {
            room.onTrackPublished(track);
        }
        return new PublishResult(answer, added, removed);
    }

    /** SSRC-signalled simulcast (a=ssrc-group:SIM): each layer's SSRCs are known before its first packet. */
    private void bindSignalledLayers(PublishedTrack track, OfferedMedia media) {
        for (int i = 0; i < media.layers().size() && i < track.layers().length; i++) {
            OfferedLayer offered = media.layers().get(i);
            TrackLayer layer = track.layers()[i];
            if (offered.ssrc() != 0) {
                tracksBySsrc.put(offered.ssrc(), layer);
                if (layer.mediaSsrc() != offered.ssrc()) {
                    layer.setMediaSsrc(offered.ssrc());
                }
            }
            if (offered.rtxSsrc() != 0) {
                tracksBySsrc.put(offered.rtxSsrc(), layer);
            }
        }
    }

    private TrackDeclaration declarationFor(OfferedMedia media) {
        TrackDeclaration declared = declarations.get(media.mid());
        if (declared != null && declared.kind() == media.kind()) {
            return declared;
        }
        TrackSource source = media.kind() == TrackKind.AUDIO ? TrackSource.MICROPHONE : TrackSource.CAMERA;
        return new TrackDeclaration(media.mid(), media.kind(), source);
    }

    void onSubscriberAnswer(String sdp) throws SdpRejectedException {
        if (!subscriberOfferOutstanding) {
            throw new SdpRejectedException("no subscriber offer is waiting for an answer");
        }
        SubscriberAnswer answer = SdpTranslator.readSubscriberAnswer(sdp);
        DtlsRole role = DtlsSetup.forAnswer(answer.transport().setup());
        try {
            subscriberTransport.setRemote(answer.transport(), role);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new SdpRejectedException("unusable transport parameters: " + e.getMessage(), e);
        }
        subscriberOfferOutstanding = false;
        acceptRetransmissions(answer);
        if (subscriberRenegotiationNeeded) {
            renegotiateSubscriber();
        }
    }

    /**
     * Sends RTX on a leg only if the answer kept its RTX payload type: a client that cannot
     * decode RTX would receive traffic for nothing, and its NACKs ask for key frames instead. A
     * slot added after the answered offer is not in it; the next answer settles it.
     */
    private void acceptRetransmissions(SubscriberAnswer answer) {
        for (SubscriberSlot slot : slots) {
            Forwarder f = slot.forwarder;
            Retransmitter retransmitter = f == null ? null : f.leg().retransmitter();
            if (retransmitter == null) {
                continue;
            }
            boolean accepted = answer.accepts(slot.mid, retransmitter.rtxPayloadType());
            if (accepted != retransmitter.negotiated()) {
                log.info("event=subscriber_rtx meeting={} participant={} mid={} accepted={}", room.meetingId(),
                        participantId, slot.mid, accepted);
            }
            retransmitter.setNegotiated(accepted);
        }
    }

    void unpublish(String trackId) {
        for (PublishedTrack track : List.copyOf(tracksByMid.values())) {
            if (track.trackId().equals(trackId)) {
                endTrack(track);
            }
        }
    }

    void setMuted(String trackId, boolean muted) {
        for (PublishedTrack track : tracksByMid.values()) {
            if (track.trackId().equals(trackId)) {
                track.setMuted(muted);
                if (!muted) {
                    for (TrackLayer layer : track.layers()) {
                        requestKeyframe(layer);
                    }
                }
            }
        }
    }

    /**
     * What this participant, as a subscriber, wants of another's track; applied at once. A track
     * it does not receive (ended meanwhile, or unknown) is ignored: the request raced its end.
     */
    void setSubscribeSettings(String trackId, LayerSettings settings) {
        for (Forwarder f : subscriptions.values()) {
            if (f.track().trackId().equals(trackId)) {
                f.selector().setSettings(settings);
                allocate(f, ctx.nanoTime());
                log.debug("event=subscribe_settings meeting={} participant={} track={} max={}x{} paused={} layer={}",
                        room.meetingId(), participantId, trackId, settings.maxWidth(), settings.maxHeight(),
                        settings.paused(), f.selector().layer());
            }
        }
    }

    List<TrackInfo> publishedTracks() {
        return tracksByMid.values().stream().map(PublishedTrack::info).toList();
    }

    List<TrackInfo> roomTracks() {
        List<TrackInfo> tracks = new ArrayList<>();
        for (Participant other : room.participants()) {
            if (other != this) {
                tracks.addAll(other.publishedTracks());
            }
        }
        return tracks;
    }

    private void endTrack(PublishedTrack track) {
        tracksByMid.remove(track.mid());
        tracksBySsrc.removeIf(l -> l.track() == track);
        midExtensionIds.values().removeIf(t -> t == track);
        room.onTrackEnded(track);
        log.info("event=track_ended meeting={} participant={} track={}", room.meetingId(), participantId, track.trackId());
    }

    void closeOnLoop() {
        if (closed) {
            return;
        }
        closed = true;
        for (PublishedTrack track : List.copyOf(tracksByMid.values())) {
            endTrack(track);
        }
        for (Forwarder f : List.copyOf(subscriptions.values())) {
            f.track().removeForwarder(f);
        }
        subscriptions.clear();
        forwardersByOutputSsrc.clear();
        publisherTransport.close();
        subscriberTransport.close();
        room.remove(this);
        ctx.onParticipantClosed(room);
        log.info("event=participant_closed meeting={} participant={}", room.meetingId(), participantId);
    }

    // ---- subscriptions ----

    void subscribe(PublishedTrack track) {
        if (closed || subscriptions.containsKey(track)) {
            return;
        }
        SubscriberSlot slot = freeSlot(track.kind());
        long outputSsrc = unusedOutputSsrc(0);
        Codec out = SfuCodecs.forSubscribers(track.codec());
        RtpStreamRewriter rewriter = new RtpStreamRewriter(outputSsrc, out.clockRate(),
                PayloadTypeMap.of(track.codec().payloadType(), out.payloadType(), SfuCodecs.mediaCodec(out)),
                out.is("VP9") ? new SvcLayerFilter() : null);
        int rtxPayloadType = SfuCodecs.rtxPayloadType(out);
        long rtxSsrc = 0;
        Retransmitter retransmitter = null;
        if (rtxPayloadType >= 0) {
            rtxSsrc = unusedOutputSsrc(outputSsrc);
            retransmitter = new Retransmitter(Retransmitter.Settings.defaults(), rtxSsrc, rtxPayloadType,
                    (int) ctx.newSsrc() & 0xFFFF);
        }
        Forwarder forwarder = new Forwarder(track, this, outputSsrc, rtxSsrc, new OutboundStream(rewriter, retransmitter),
                new SendStatistics(outputSsrc, out.clockRate()), new LayerSelector(ctx.allocator()));
        slot.forwarder = forwarder;
        slot.codec = out;
        subscriptions.put(track, forwarder);
        forwardersByOutputSsrc.put(outputSsrc, forwarder);
        track.addForwarder(forwarder);
        allocate(forwarder, ctx.nanoTime());
    }

    /**
     * Decides the layer {@code f} forwards and makes its rewriter follow: switch (at the new
     * layer's next key frame, asked for now), or pause. Idempotent, so it runs on every
     * allocation tick, on new settings and when a layer's SSRC becomes known.
     */
    private void allocate(Forwarder f, long nowNanos) {
        PublishedTrack track = f.track();
        int layerIndex;
        if (track.kind() == TrackKind.AUDIO) {
            layerIndex = f.selector().settings().paused() ? Allocator.NONE : 0;
        } else {
            // The bandwidth-estimation work replaces UNLIMITED with this subscriber's share of its downlink.
            SvcLayerFilter svc = f.leg().rewriter().svc();
            LayerChoice choice = f.selector().update(
                    svc != null ? SvcLayers.of(svc, nowNanos) : track.layerInfos(nowNanos), Allocator.UNLIMITED);
            layerIndex = choice.layer();
            if (svc != null && layerIndex != Allocator.NONE) {
                // One stream carries every spatial layer: the choice is a target for the leg's filter (ADR 0026).
                svc.setTarget(layerIndex, SvcLayers.temporalFor(f.selector().settings().maxFps()));
                if (svc.isWaitingForKeyPicture()) {
                    requestKeyframe(track.layers()[0]);
                }
                if (choice.changed()) {
                    log.info("event=svc_layer_selected meeting={} subscriber={} track={} spatial={} max={}x{}",
                            room.meetingId(), participantId, track.trackId(), layerIndex,
                            f.selector().settings().maxWidth(), f.selector().settings().maxHeight());
                }
                layerIndex = 0;
            }
            if (choice.changed() && track.isSimulcast()) {
                log.info("event=simulcast_layer_selected meeting={} subscriber={} track={} layer={} max={}x{} paused={}",
                        room.meetingId(), participantId, track.trackId(), layerIndex, f.selector().settings().maxWidth(),
                        f.selector().settings().maxHeight(), f.selector().settings().paused());
            }
        }
        RtpStreamRewriter rewriter = f.leg().rewriter();
        if (layerIndex == Allocator.NONE) {
            if (rewriter.currentSource() != RtpStreamRewriter.NO_SOURCE
                    || rewriter.pendingSource() != RtpStreamRewriter.NO_SOURCE) {
                rewriter.pause();
            }
            return;
        }
        TrackLayer layer = track.layers()[layerIndex];
        long ssrc = layer.mediaSsrc();
        if (ssrc < 0 || rewriter.currentSource() == ssrc && rewriter.pendingSource() == RtpStreamRewriter.NO_SOURCE
                || rewriter.pendingSource() == ssrc) {
            return;
        }
        rewriter.switchTo(ssrc);
        if (rewriter.isWaitingForSwitchPoint()) {
            requestKeyframe(layer);
        }
    }

    /** Every subscription's layer, again: layers come and go with the publishers' uplinks. */
    private void allocateAll(long nowNanos) {
        for (Forwarder f : subscriptions.values()) {
            allocate(f, nowNanos);
        }
    }

    /** A fresh SSRC for this subscriber transport: no forwarder's media or RTX SSRC, and not {@code taken}. */
    private long unusedOutputSsrc(long taken) {
        while (true) {
            long ssrc = ctx.newSsrc();
            if (ssrc != taken && !forwardersByOutputSsrc.containsKey(ssrc)
                    && forwardersByOutputSsrc.values().stream().noneMatch(f -> f.rtxSsrc() == ssrc)) {
                return ssrc;
            }
        }
    }

    /** @return whether the participant was subscribed */
    boolean unsubscribe(PublishedTrack track) {
        Forwarder forwarder = subscriptions.remove(track);
        if (forwarder == null) {
            return false;
        }
        track.removeForwarder(forwarder);
        forwardersByOutputSsrc.remove(forwarder.outputSsrc());
        for (SubscriberSlot slot : slots) {
            if (slot.forwarder == forwarder) {
                slot.forwarder = null;
            }
        }
        return true;
    }

    private SubscriberSlot freeSlot(TrackKind kind) {
        for (SubscriberSlot slot : slots) {
            if (slot.forwarder == null && slot.kind == kind) {
                return slot;
            }
        }
        SubscriberSlot slot = new SubscriberSlot(Integer.toString(nextMid++), kind);
        slots.add(slot);
        return slot;
    }

    /** Sends a fresh subscriber offer, or marks one as due once the outstanding one is answered. */
    void renegotiateSubscriber() {
        if (closed || slots.isEmpty()) {
            return;
        }
        if (subscriberOfferOutstanding) {
            subscriberRenegotiationNeeded = true;
            return;
        }
        subscriberRenegotiationNeeded = false;
        subscriberOfferOutstanding = true;
        List<SubscriberLine> lines = new ArrayList<>();
        List<SubscribedTrack> carried = new ArrayList<>();
        for (SubscriberSlot slot : slots) {
            Forwarder f = slot.forwarder;
            if (f == null) {
                lines.add(new SubscriberLine(slot.mid, slot.kind, slot.codec, null, null, 0, 0));
            } else {
                TrackInfo info = f.track().info();
                lines.add(new SubscriberLine(slot.mid, slot.kind, slot.codec, info.participantId(), info.trackId(),
                        f.outputSsrc(), f.rtxSsrc()));
                carried.add(new SubscribedTrack(slot.mid, info));
            }
        }
        String offer = SdpTranslator.writeSubscriberOffer(ctx.sdpSessionId(), ++subscriberSdpVersion,
                subscriberTransport.localParams(), ctx.candidates(), lines);
        listener.onSubscriberOffer(offer, carried);
    }

    // ---- media, on the loop ----

    @Override
    public void onRtp(WebRtcTransport transport, byte[] buf, int off, int len) {
        if (transport != publisherTransport || !inbound.wrap(buf, off, len)) {
            ctx.counters().droppedUnroutable.increment();
            return;
        }
        long ssrc = inbound.ssrc();
        TrackLayer layer = tracksBySsrc.get(ssrc);
        if (layer == null) {
            layer = bindUnknownSsrc(ssrc);
            if (layer == null) {
                ctx.counters().droppedUnroutable.increment();
                return;
            }
        }
        PublishedTrack track = layer.track();
        if (!track.isSimulcast() && layer.mediaSsrc() != ssrc && !layer.inbound().isRtx(inbound)) {
            // One stream whose SSRC changed (the publisher's encoder restarted): its subscribers follow it.
            layer.setMediaSsrc(ssrc);
            onLayerBound(track);
        }
        ctx.router().onPublisherRtp(layer, inbound, ctx.nanoTime());
    }

    /**
     * The layer a packet from a not yet seen SSRC belongs to: its track by the mid header
     * extension; within a rid-simulcast track, its layer by the rid (media) or repaired-rid
     * (RTX) extension, which Chrome puts on a stream's first packets.
     */
    private TrackLayer bindUnknownSsrc(long ssrc) {
        PublishedTrack track = trackByMidExtension();
        if (track == null) {
            return null;
        }
        TrackLayer layer;
        if (!track.isSimulcast()) {
            layer = track.layers()[0];
        } else {
            layer = layerByExtension(track, track.repairedRidExtensionId());
            if (layer == null) {
                layer = layerByExtension(track, track.ridExtensionId());
                if (layer == null) {
                    return null;
                }
                layer.setMediaSsrc(ssrc);
                log.info("event=simulcast_layer_bound meeting={} participant={} track={} rid={} ssrc={}",
                        room.meetingId(), participantId, track.trackId(), layer.rid(), ssrc);
                tracksBySsrc.put(ssrc, layer);
                onLayerBound(track);
                return layer;
            }
        }
        tracksBySsrc.put(ssrc, layer);
        return layer;
    }

    private TrackLayer layerByExtension(PublishedTrack track, int extensionId) {
        if (extensionId <= 0) {
            return null;
        }
        int offset = inbound.extensionOffset(extensionId);
        return offset < 0 ? null : track.layerByRid(inbound.buffer(), offset, inbound.extensionLength(extensionId));
    }

    /** A layer's SSRC became known: subscribers waiting for it may take it now. */
    private void onLayerBound(PublishedTrack track) {
        long now = ctx.nanoTime();
        for (Forwarder f : track.forwarders()) {
            f.subscriber().allocate(f, now);
        }
    }

    private PublishedTrack trackByMidExtension() {
        for (Map.Entry<Integer, PublishedTrack> e : midExtensionIds.entrySet()) {
            int offset = inbound.extensionOffset(e.getKey());
            if (offset >= 0) {
                String mid = new String(inbound.buffer(), offset, inbound.extensionLength(e.getKey()),
                        java.nio.charset.StandardCharsets.US_ASCII);
                return tracksByMid.get(mid);
            }
        }
        return null;
    }

    @Override
    public void onRtcp(WebRtcTransport transport, byte[] buf, int off, int len) {
        if (transport == subscriberTransport) {
            feedbackNanos = ctx.nanoTime();
            subscriberFeedback.read(buf, off, len, this);
            rtcp.onSubscriberRtcp(buf, off, len, forwardersByOutputSsrc, ctx.metrics(), feedbackNanos);
        } else {
            rtcp.onPublisherRtcp(buf, off, len, tracksBySsrc, ctx.nanoTime());
        }
    }

    @Override
    public void onKeyframeRequest(long mediaSsrc) {
        Forwarder f = forwardersByOutputSsrc.get(mediaSsrc);
        if (f != null) {
            requestKeyframe(f);
        }
    }

    @Override
    public void onNack(long mediaSsrc, RtcpNack nack) {
        Forwarder f = forwardersByOutputSsrc.get(mediaSsrc);
        if (f != null) {
            ctx.router().onNack(f, nack, feedbackNanos);
        }
    }

    void requestKeyframe(TrackLayer layer) {
        ctx.router().requestKeyframe(layer, ctx.nanoTime());
    }

    /** A key frame of what {@code f} forwards, and of the layer it waits to switch to. */
    private void requestKeyframe(Forwarder f) {
        TrackLayer current = f.forwardedLayer();
        if (current != null) {
            requestKeyframe(current);
        }
        long pending = f.leg().rewriter().pendingSource();
        TrackLayer next = pending < 0 ? null : f.track().layerBySsrc(pending);
        if (next != null) {
            requestKeyframe(next);
        }
    }

    /** Frequent work on the loop: NACKs due to the publisher; every few ticks, layer allocation. */
    void feedbackTick(long nowNanos) {
        for (PublishedTrack track : tracksByMid.values()) {
            for (TrackLayer layer : track.layers()) {
                ctx.router().sendDueNacks(layer, nowNanos);
            }
        }
        if (++feedbackTicks % ALLOCATION_EVERY_TICKS == 0) {
            allocateAll(nowNanos);
        }
    }

    RtcpReporter rtcpReporter() {
        return rtcp;
    }

    /** Periodic work on the loop: RTCP reports and receiver estimate, consent checks. */
    void tick(long nowNanos) {
        rtcp.sendReceiverReports(tracksByMid.values(), publisherTransport, ctx.metrics(), nowNanos);
        rtcp.sendSenderReports(subscriptions.values(), subscriberTransport, ctx.ntpClock(), nowNanos);
        if (!tracksByMid.isEmpty()) {
            long[] ssrcs = tracksByMid.values().stream().flatMap(t -> java.util.Arrays.stream(t.layers()))
                    .mapToLong(TrackLayer::mediaSsrc).filter(s -> s >= 0).toArray();
            if (ssrcs.length > 0) {
                publisherTransport.sendRemb(ctx.estimatedUplinkBps(), ssrcs);
            }
        }
        if (publisherTransport.consentExpired(nowNanos) || subscriberTransport.consentExpired(nowNanos)) {
            ctx.counters().iceFailures.increment();
            fail("ICE consent expired");
        }
    }

    @Override
    public void onConnected(WebRtcTransport transport) {
        if (transport == subscriberTransport) {
            for (Forwarder f : subscriptions.values()) {
                requestKeyframe(f);
            }
        }
    }

    @Override
    public void onFailed(WebRtcTransport transport, String reason) {
        fail(reason);
    }

    /** Ends this session because the same participant joined again. */
    void replaceBy() {
        fail("replaced by a newer session of the same participant");
    }

    private void fail(String reason) {
        if (closed) {
            return;
        }
        log.info("event=participant_media_failed meeting={} participant={} reason=\"{}\"", room.meetingId(), participantId, reason);
        closeOnLoop();
        listener.onMediaFailed(reason);
    }
}
