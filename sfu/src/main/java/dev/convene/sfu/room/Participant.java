package dev.convene.sfu.room;

import dev.convene.media.core.rtcp.RtcpNack;
import dev.convene.media.core.rtcp.RtcpTransportFeedback;
import dev.convene.media.core.rtp.RtpPacket;
import dev.convene.media.routing.OutboundStream;
import dev.convene.media.routing.PayloadTypeMap;
import dev.convene.media.routing.Retransmitter;
import dev.convene.media.routing.RtpStreamRewriter;
import dev.convene.media.routing.rtcp.SendStatistics;
import dev.convene.media.routing.bwe.BandwidthEstimator;
import dev.convene.media.routing.simulcast.Allocator;
import dev.convene.media.routing.simulcast.BudgetSplitter;
import dev.convene.media.routing.simulcast.LayerChoice;
import dev.convene.media.routing.simulcast.LayerSelector;
import dev.convene.media.routing.simulcast.LayerInfo;
import dev.convene.media.routing.simulcast.LayerSettings;
import dev.convene.media.routing.speaker.LastNSelector;
import dev.convene.media.routing.speaker.LayerDemand;
import dev.convene.sfu.PublishLayer;
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
import dev.convene.sfu.negotiation.PlayerLine;
import dev.convene.sfu.negotiation.PublisherOffer;
import dev.convene.sfu.negotiation.HostCandidate;
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
    private final SsrcTable<TrackLayer> tracksBySsrc = new SsrcTable<>();
    private final Map<Integer, PublishedTrack> midExtensionIds = new HashMap<>();

    private final List<SubscriberSlot> slots = new ArrayList<>();
    private final Map<PublishedTrack, Forwarder> subscriptions = new HashMap<>();
    private final SsrcTable<Forwarder> forwardersByOutputSsrc = new SsrcTable<>();
    private int nextMid;
    private long subscriberSdpVersion;
    private boolean subscriberOfferOutstanding;
    private boolean subscriberRenegotiationNeeded;
    private boolean closed;
    /**
     * Whether the room subscribes this participant to every track: a meeting participant does; a
     * WHIP ingest (receives nothing) and a WHEP player (receives what its own offer asked for) do not.
     */
    private boolean receivesRoom = true;

    private final RtpPacket inbound = new RtpPacket();
    private final SubscriberFeedback subscriberFeedback = new SubscriberFeedback();
    private long feedbackNanos;
    private final RtcpReporter rtcp = new RtcpReporter();
    private long feedbackTicks;
    private long congestionSwitches;
    /** True while allocating because the downlink estimate was just cut: down-switches then cut the old layer. */
    private boolean allocatingForCut;
    /** The downlink estimate was cut since the last feedback tick: reallocate at the next one. */
    private boolean cutPending;
    /** Legs cut for congestion whose new layer's key frame has not come yet, and when each was cut (for the log). */
    private final List<Forwarder> cutLegs = new ArrayList<>();
    private final List<long[]> cutLegTimes = new ArrayList<>();
    /** Transport-cc feedback to this participant as a publisher (ADR 0031). */
    private final UplinkFeedback uplink = new UplinkFeedback();
    private final DownlinkBandwidth downlink = new DownlinkBandwidth(BandwidthEstimator.Settings.defaults());
    /**
     * Snapshots of {@link #tracksByMid}'s and {@link #subscriptions}' values, rebuilt when they
     * change: the ticks walk arrays, not iterators (ADR 0027).
     */
    private PublishedTrack[] trackArray = new PublishedTrack[0];
    private Forwarder[] subscriptionArray = new Forwarder[0];
    /** Scratch of the allocation pass, reused so that it allocates nothing once warm (ADR 0027). */
    private final List<BudgetSplitter.Demand> demands = new ArrayList<>();
    private final List<BudgetSplitter.Demand> demandPool = new ArrayList<>();
    private final List<Forwarder> demandLegs = new ArrayList<>();
    private final BudgetSplitter splitter = new BudgetSplitter();
    private long[] split = new long[8];
    private boolean[] candidate = new boolean[0];
    private boolean[] screenShare = new boolean[0];
    private boolean[] pinned = new boolean[0];
    private boolean[] visible = new boolean[0];
    private long[] rembSsrcs = new long[4];
    /** This participant's index in its room's {@link Room#members()}, which numbers it for last-N. */
    private int roomIndex = -1;
    /** The video leg whose RTX stream carries probe padding, chosen on the allocation tick; null for none. */
    private Forwarder paddingLeg;
    private long lastLoggedEstimate;

    private final long joinOrder;
    private int lastN;
    /** Tracks this subscriber pinned; their publishers come first in last-N after screen shares. */
    private final java.util.Set<String> pinnedTracks = new java.util.HashSet<>();

    /** Allocation runs every this many feedback ticks (20 ms each): 5 times a second. */
    private static final int ALLOCATION_EVERY_TICKS = 10;

    Participant(String participantId, Room room, RoomContext ctx, ParticipantListener listener) {
        this.participantId = participantId;
        this.room = room;
        this.ctx = ctx;
        this.listener = listener;
        this.publisherTransport = ctx.newTransport(participantId + "/pub", this);
        this.subscriberTransport = ctx.newTransport(participantId + "/sub", this);
        this.joinOrder = room.nextJoinOrder();
        this.lastN = ctx.defaultLastN();
    }

    String participantId() {
        return participantId;
    }

    Collection<PublishedTrack> tracks() {
        return tracksByMid.values();
    }

    /** {@link #tracks()} as a snapshot array, for the ticks; the caller must not change it. */
    PublishedTrack[] trackArray() {
        return trackArray;
    }

    long joinOrder() {
        return joinOrder;
    }

    void setRoomIndex(int index) {
        this.roomIndex = index;
    }

    private void tracksChanged() {
        trackArray = tracksByMid.values().toArray(new PublishedTrack[0]);
    }

    private void subscriptionsChanged() {
        subscriptionArray = subscriptions.values().toArray(new Forwarder[0]);
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
                track.setAudioLevelExtensionId(media.kind() == TrackKind.AUDIO
                        ? media.extensionIds().getOrDefault(OfferedMedia.AUDIO_LEVEL_URI, 0) : 0);
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
            if (codec.feedback().contains(SfuCodecs.TRANSPORT_CC)) {
                // One BUNDLE transport numbers all its packets: Chrome gives every m-line the same id.
                uplink.setExtensionId(media.extensionIds().getOrDefault(OfferedMedia.TRANSPORT_CC_URI, 0));
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
            tracksChanged();
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

    /** {@code answer} was parsed off the loop (LoopParticipantSession): it has one m-line per track offered. */
    void onSubscriberAnswer(SubscriberAnswer answer) throws SdpRejectedException {
        if (!subscriberOfferOutstanding) {
            throw new SdpRejectedException("no subscriber offer is waiting for an answer");
        }
        DtlsRole role = DtlsSetup.forAnswer(answer.transport().setup());
        try {
            subscriberTransport.setRemote(answer.transport(), role);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new SdpRejectedException("unusable transport parameters: " + e.getMessage(), e);
        }
        subscriberOfferOutstanding = false;
        acceptRetransmissions(answer);
        if (answer.transportCcExtensionId() != downlink.extensionId()) {
            log.info("event=subscriber_transport_cc meeting={} participant={} extension_id={}", room.meetingId(),
                    participantId, answer.transportCcExtensionId());
            downlink.setExtensionId(answer.transportCcExtensionId());
        }
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
    void setSubscribeSettings(String trackId, LayerSettings settings, boolean pinned, int lastN) {
        if (lastN > 0 && lastN != this.lastN) {
            this.lastN = lastN;
            log.info("event=last_n meeting={} participant={} last_n={}", room.meetingId(), participantId, lastN);
            allocateAll(ctx.nanoTime());
        }
        if (trackId == null) {
            return;
        }
        if (pinned ? pinnedTracks.add(trackId) : pinnedTracks.remove(trackId)) {
            chooseVisibleVideo(ctx.nanoTime());
        }
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
        tracksChanged();
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
        subscriptionsChanged();
        forwardersByOutputSsrc.clear();
        publisherTransport.close();
        subscriberTransport.close();
        room.remove(this);
        ctx.onParticipantClosed(room);
        log.info("event=participant_closed meeting={} participant={}", room.meetingId(), participantId);
    }

    // ---- WHIP and WHEP sessions ----

    boolean receivesRoom() {
        return receivesRoom;
    }

    /** A WHIP ingest: it only publishes, so it leaves every subscription and is offered nothing. */
    void receiveNothing() {
        receivesRoom = false;
        for (PublishedTrack track : List.copyOf(subscriptions.keySet())) {
            unsubscribe(track);
        }
        slots.clear();
        subscriberOfferOutstanding = false;
        subscriberRenegotiationNeeded = false;
    }

    /**
     * Answers a WHEP player's offer: the subscriber transport takes the player's ICE and DTLS
     * parameters, and each offered audio or video m-line receives one of {@code publisherId}'s
     * tracks of its kind, under the payload types the player offered (RFC 3264 §5.1: they are the
     * ones it expects to receive). Lines without such a track or codec are answered inactive. The
     * session then follows no other track: WHEP has no way to offer more.
     */
    String onPlayerOffer(String sdp, String publisherId) throws SdpRejectedException {
        if (!receivesRoom) {
            throw new SdpRejectedException("this session has answered its offer already");
        }
        PublisherOffer offer = SdpTranslator.readPublisherOffer(sdp);
        DtlsRole role = DtlsSetup.forOffer(offer.transport().setup());
        try {
            subscriberTransport.setRemote(offer.transport(), role);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new SdpRejectedException("unusable transport parameters: " + e.getMessage(), e);
        }
        receiveNothing();
        List<PublishedTrack> available = new ArrayList<>();
        for (Participant p : room.participants()) {
            if (p != this && p.participantId().equals(publisherId)) {
                available.addAll(p.tracks());
            }
        }
        List<PlayerLine> lines = new ArrayList<>();
        for (OfferedMedia media : offer.media()) {
            PublishedTrack track = available.stream().filter(t -> t.kind() == media.kind()).findFirst().orElse(null);
            Codec out = track == null ? null : SfuCodecs.forPlayer(SfuCodecs.forSubscribers(track.codec()), media);
            if (out == null) {
                lines.add(new PlayerLine(media, null, -1));
                continue;
            }
            available.remove(track);
            int rtxPayloadType = out.is("opus") ? -1 : media.rtxPayloadTypeFor(out);
            SubscriberSlot slot = new SubscriberSlot(media.mid(), track.kind());
            slots.add(slot);
            Forwarder f = subscribe(track, slot, out, rtxPayloadType);
            TrackInfo info = track.info();
            lines.add(new PlayerLine(media, new SubscriberLine(media.mid(), track.kind(), out, info.participantId(),
                    info.trackId(), f.outputSsrc(), f.rtxSsrc()), rtxPayloadType));
        }
        log.info("event=player_answered meeting={} participant={} publisher={} tracks={}", room.meetingId(),
                participantId, publisherId, subscriptions.size());
        return SdpTranslator.writePlayerAnswer(subscriberTransport.localParams(), ctx.candidates(),
                DtlsSetup.answerSetup(role), lines);
    }

    // ---- subscriptions ----

    void subscribe(PublishedTrack track) {
        if (closed || !receivesRoom || subscriptions.containsKey(track)) {
            return;
        }
        Codec out = SfuCodecs.forSubscribers(track.codec());
        subscribe(track, freeSlot(track.kind()), out, SfuCodecs.rtxPayloadType(out));
    }

    private Forwarder subscribe(PublishedTrack track, SubscriberSlot slot, Codec out, int rtxPayloadType) {
        long outputSsrc = unusedOutputSsrc(0);
        RtpStreamRewriter rewriter = new RtpStreamRewriter(outputSsrc, out.clockRate(),
                PayloadTypeMap.of(track.codec().payloadType(), out.payloadType(), SfuCodecs.mediaCodec(out)),
                out.is("VP9") ? new SvcLayerFilter() : null);
        long rtxSsrc = 0;
        Retransmitter retransmitter = null;
        if (rtxPayloadType >= 0) {
            rtxSsrc = unusedOutputSsrc(outputSsrc);
            retransmitter = new Retransmitter(Retransmitter.Settings.defaults(), rtxSsrc, rtxPayloadType,
                    (int) ctx.newSsrc() & 0xFFFF, ctx.packetArrays(), ctx.headArrays());
        }
        Forwarder forwarder = new Forwarder(track, this, outputSsrc, rtxSsrc, new OutboundStream(rewriter, retransmitter),
                new SendStatistics(outputSsrc, out.clockRate()), new LayerSelector(ctx.allocator()), new Forwarder.Plan());
        slot.forwarder = forwarder;
        slot.codec = out;
        subscriptions.put(track, forwarder);
        subscriptionsChanged();
        forwardersByOutputSsrc.put(outputSsrc, forwarder);
        track.addForwarder(forwarder);
        if (track.kind() == TrackKind.VIDEO) {
            chooseVisibleVideo(ctx.nanoTime());
        }
        allocate(forwarder, ctx.nanoTime());
        return forwarder;
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
            layerIndex = f.selector().settings().paused() || !room.audioSelected(track, this) ? Allocator.NONE : 0;
        } else {
            SvcLayerFilter svc = f.leg().rewriter().svc();
            List<LayerInfo> offered = svc != null ? SvcLayers.of(svc, nowNanos) : track.layerInfos(nowNanos);
            // Beyond last-N the allocator sees no layer, so it decides NONE, and dynacast reads that.
            List<LayerInfo> layers = f.plan().visible ? offered : List.of();
            // This subscription's share of the downlink estimate (ADR 0021), unlimited while there is none.
            long budget = f.plan().budgetBps;
            LayerChoice choice = f.selector().update(layers, budget);
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
                log.info("event=simulcast_layer_selected meeting={} subscriber={} track={} layer={} max={}x{} paused={}"
                        + " budget_bps={}", room.meetingId(), participantId, track.trackId(), layerIndex,
                        f.selector().settings().maxWidth(), f.selector().settings().maxHeight(),
                        f.selector().settings().paused(), budget == Allocator.UNLIMITED ? -1 : budget);
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
        TrackLayer forwarded = f.forwardedLayer();
        boolean congested = allocatingForCut || downlink.cutWithin(CONGESTION_EPISODE_NANOS, nowNanos);
        if (congested && forwarded != null && forwarded.index() > layerIndex && overBudget(f, forwarded, nowNanos)) {
            // Congestion (ADR 0031): the old layer stops at its frame's end instead of queueing
            // ahead of the new layer's key frame, and that key frame is asked for past the throttle.
            rewriter.switchToCuttingCurrent(ssrc);
            congestionSwitches++;
            log.info("event=simulcast_congestion_switch meeting={} subscriber={} track={} from={} to={} budget_bps={}"
                    + " layer_bps={}", room.meetingId(), participantId, track.trackId(), forwarded.index(), layerIndex,
                    f.plan().budgetBps, forwarded.state().bitsPerSecond(nowNanos));
            ctx.router().requestKeyframeUrgently(layer, nowNanos);
            cutLegs.add(f);
            cutLegTimes.add(new long[] {nowNanos, rewriter.sourceSwitches(), layerIndex});
            return;
        }
        rewriter.switchTo(ssrc);
        if (rewriter.isWaitingForSwitchPoint()) {
            requestKeyframe(layer);
        }
    }

    /**
     * How long after an estimate cut a down-switch still counts as congestion and cuts the old
     * layer: the allocation the cut runs may stop one layer short (a first cut read from a burst
     * of arrivals), and the next, on a tick, then let the middle layer flow on into the full
     * bottleneck until the low layer's key frame — which queued behind it for seconds in Chromium
     * (ADR 0031). Ticks away from any cut keep the old layer flowing, as before.
     */
    static final long CONGESTION_EPISODE_NANOS = 1_000_000_000L;

    /**
     * Whether the layer {@code f} forwards costs more than {@code f}'s share of the downlink
     * estimate. Asked only on an estimate cut: between cuts a leg's share is what its layer cost
     * when planned, and a layer a few percent busier since is no congestion.
     */
    private boolean overBudget(Forwarder f, TrackLayer forwarded, long nowNanos) {
        long budget = f.plan().budgetBps;
        return budget != Allocator.UNLIMITED && forwarded.state().bitsPerSecond(nowNanos) > budget;
    }

    /** Down-switches that cut the old layer for congestion, for tests and logs. */
    long congestionSwitches() {
        return congestionSwitches;
    }

    /**
     * Every subscription's layer, again: layers come and go with the publishers' uplinks, speakers
     * change, and the downlink estimate moves. Last-N picks whose video is received at all; the
     * estimate (less what audio takes) is split between those video subscriptions by priority — screen share first, then the subscriber's own priorities — and
     * the probe is planned from what the subscriber would take with no limit.
     */
    private void allocateAll(long nowNanos) {
        chooseVisibleVideo(nowNanos);
        planBudgets(nowNanos);
        for (Forwarder f : subscriptionArray) {
            allocate(f, nowNanos);
        }
    }

    /** The audio this subscriber receives follows the room's speaker ranking. */
    void allocateAudio(long nowNanos) {
        for (Forwarder f : subscriptionArray) {
            if (f.track().kind() == TrackKind.AUDIO) {
                allocate(f, nowNanos);
            }
        }
    }

    /**
     * Last-N: the publishers whose video this subscriber receives (screen share, pinned, speaking
     * order, join order), marked on its legs. Publishers are numbered by their place in the room;
     * the speaking order is the room's, sorted once per instant for all its subscribers, so this
     * is linear in the room and the subscriber's legs, and allocates nothing once warm.
     */
    private void chooseVisibleVideo(long nowNanos) {
        Participant[] members = room.members();
        int m = members.length;
        if (candidate.length < m) {
            int size = Math.max(m, candidate.length * 2);
            candidate = new boolean[size];
            screenShare = new boolean[size];
            pinned = new boolean[size];
            visible = new boolean[size];
        }
        for (int i = 0; i < m; i++) {
            candidate[i] = false;
            screenShare[i] = false;
            pinned[i] = false;
        }
        int candidates = 0;
        for (Forwarder f : subscriptionArray) {
            PublishedTrack track = f.track();
            int i = track.publisher().roomIndex;
            // A paused leg (a tile on another grid page) takes no last-N place from a shown one.
            if (track.kind() != TrackKind.VIDEO || f.selector().settings().paused() || i < 0 || i >= m
                    || members[i] != track.publisher()) {
                continue;
            }
            if (!candidate[i]) {
                candidate[i] = true;
                candidates++;
            }
            screenShare[i] |= track.source() == TrackSource.SCREEN;
            pinned[i] |= pinnedTracks.contains(track.trackId());
        }
        if (candidates <= lastN) {
            System.arraycopy(candidate, 0, visible, 0, m);
        } else {
            LastNSelector.select(room.speakingOrder(nowNanos), m, candidate, screenShare, pinned, lastN, visible);
        }
        for (Forwarder f : subscriptionArray) {
            int i = f.track().publisher().roomIndex;
            f.plan().visible = i >= 0 && i < m && members[i] == f.track().publisher() && visible[i];
        }
    }

    /**
     * Dynacast: tells this participant, as a publisher, which layers of each video track
     * anyone takes, when that changes; the client stops encoding the others.
     */
    void updateLayerDemand(long nowNanos) {
        if (closed) {
            return;
        }
        for (PublishedTrack track : trackArray) {
            if (track.kind() != TrackKind.VIDEO) {
                continue;
            }
            boolean[] wanted = track.wantedScratch();
            for (TrackLayer layer : track.layers()) {
                // A layer not seen yet cannot be chosen (its SSRC is unknown): pausing it before its
                // first packet (a publisher slow to connect) would keep it unseen for good.
                wanted[layer.index()] = layer.mediaSsrc() < 0;
            }
            boolean taken = false;
            for (Forwarder f : track.forwarders()) {
                taken |= f.selector().layer() != Allocator.NONE;
            }
            // A track anyone receives keeps all its layers: resuming an upper layer in Chrome took
            // more than the 3 s a growing tile may wait for it (ADR 0022); lower ones must stay for
            // dropping down at once. A track nobody receives (beyond everyone's last-N, paused tiles,
            // no subscribers) is paused whole.
            if (taken) {
                java.util.Arrays.fill(wanted, true);
            }
            LayerDemand demand = track.layerDemand(nowNanos);
            if (demand.update(wanted, nowNanos)) {
                List<PublishLayer> layers = new ArrayList<>();
                for (TrackLayer layer : track.layers()) {
                    layers.add(new PublishLayer(layer.index(), layer.rid(), demand.sent(layer.index())));
                }
                log.info("event=publish_layers meeting={} participant={} track={} sent={}", room.meetingId(),
                        participantId, track.trackId(), java.util.Arrays.toString(demand.sent()));
                listener.onPublishLayers(track.trackId(), layers);
            }
        }
    }

    void onActiveSpeakers(List<String> participantIds) {
        if (!closed) {
            listener.onActiveSpeakers(participantIds);
        }
    }

    private void planBudgets(long nowNanos) {
        paddingLeg = null;
        demands.clear();
        demandLegs.clear();
        long audioBps = 0;
        long mediaBps = 0;
        for (Forwarder f : subscriptionArray) {
            f.plan().budgetBps = Allocator.UNLIMITED;
            long sending = f.leg().stats().bitsPerSecond(nowNanos);
            mediaBps += sending;
            if (f.track().kind() == TrackKind.AUDIO) {
                audioBps += sending;
                continue;
            }
            if (!f.plan().visible) {
                continue; // beyond last-N: no layer, so no share of the downlink
            }
            int priority = f.selector().settings().priority()
                    + (f.track().source() == TrackSource.SCREEN ? SCREEN_SHARE_PRIORITY : 0);
            int n = demands.size();
            if (n == demandPool.size()) {
                demandPool.add(new BudgetSplitter.Demand(List.of(), LayerSettings.UNCONSTRAINED, 0, Allocator.NONE));
            }
            demands.add(demandPool.get(n).set(f.track().layerInfos(nowNanos), f.selector().settings(), priority,
                    f.selector().layer()));
            demandLegs.add(f);
            Retransmitter r = f.leg().retransmitter();
            if (paddingLeg == null && r != null && r.negotiated() && f.forwardedLayer() != null) {
                paddingLeg = f;
            }
        }
        // A probe only where more bandwidth buys a layer: a subscriber of single-stream tracks, or
        // one that has every best layer already, is not padded.
        downlink.plan(nowNanos, BudgetSplitter.wantsMore(demands) ? BudgetSplitter.desired(demands) + audioBps : 0,
                mediaBps);
        if (!downlink.hasEstimate(nowNanos)) {
            return;
        }
        int n = demands.size();
        if (split.length < n) {
            split = new long[Math.max(n, split.length * 2)];
        }
        splitter.split(demands, downlink.estimateBps(nowNanos) - audioBps, downlink.mayMoveUp(nowNanos), split);
        for (int i = 0; i < n; i++) {
            demandLegs.get(i).plan().budgetBps = split[i];
        }
    }

    /** Added to a screen share's priority: text on a shared screen is what a meeting reads first. */
    private static final int SCREEN_SHARE_PRIORITY = 100;

    /** A fresh SSRC for this subscriber transport: no forwarder's media or RTX SSRC, and not {@code taken}. */
    private long unusedOutputSsrc(long taken) {
        while (true) {
            long ssrc = ctx.newSsrc();
            if (ssrc != taken && !forwardersByOutputSsrc.containsKey(ssrc)
                    && !forwardersByOutputSsrc.anyMatch(f -> f.rtxSsrc() == ssrc)) {
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
        subscriptionsChanged();
        track.removeForwarder(forwarder);
        forwardersByOutputSsrc.remove(forwarder.outputSsrc());
        if (paddingLeg == forwarder) {
            paddingLeg = null;
        }
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
        if (closed || !receivesRoom || slots.isEmpty()) {
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
        long version = ++subscriberSdpVersion;
        var local = subscriberTransport.localParams();
        List<HostCandidate> candidates = ctx.candidates();
        // The text is written off the loop; with one offer outstanding at a time, offers cannot overtake each other.
        long sessionId = ctx.sdpSessionId();
        ctx.negotiation().execute(() -> {
            try {
                listener.onSubscriberOffer(SdpTranslator.writeSubscriberOffer(sessionId, version, local, candidates, lines),
                        carried);
            } catch (RuntimeException e) {
                log.warn("event=subscriber_offer_failed meeting={} participant={} error={}", room.meetingId(), participantId,
                        e.toString());
            }
        });
    }

    // ---- media, on the loop ----

    @Override
    public void onRtp(WebRtcTransport transport, byte[] buf, int off, int len) {
        if (transport != publisherTransport || !inbound.wrap(buf, off, len)) {
            ctx.counters().droppedUnroutable.increment();
            return;
        }
        // Before routing: the publisher's padding probes and streams we do not route count as arrived too.
        uplink.onRtp(inbound, ctx.nanoTime());
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
    public void onTransportFeedback(RtcpTransportFeedback feedback) {
        long decreasedBefore = downlink.estimator().lastDecreaseNanos();
        downlink.onFeedback(feedback, feedbackNanos);
        if (downlink.estimator().lastDecreaseNanos() != decreasedBefore) {
            // Down on congestion at the next 20 ms feedback tick (ADR 0031), not at the allocation
            // tick up to 200 ms away; not here, as allocation is work per decision, off the packet path.
            cutPending = true;
        }
    }

    @Override
    public void onRemb(long bitsPerSecond) {
        downlink.onRemb(bitsPerSecond, feedbackNanos);
    }

    DownlinkBandwidth downlink() {
        return downlink;
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
        for (PublishedTrack track : trackArray) {
            for (TrackLayer layer : track.layers()) {
                ctx.router().sendDueNacks(layer, nowNanos);
            }
        }
        if (!cutLegs.isEmpty()) {
            reportSwitchedCutLegs(nowNanos);
        }
        if (cutPending) {
            cutPending = false;
            cutsSinceLog++;
            // Under steady loss a subscriber's estimate is cut about once a second; a log line
            // per cut would be most of what the media loop allocates (ADR 0027), so one line per
            // CUT_LOG_EVERY_NANOS says how many cuts it stands for.
            if (lastCutLogNanos == 0 || nowNanos - lastCutLogNanos >= CUT_LOG_EVERY_NANOS) {
                BandwidthEstimator e = downlink.estimator();
                log.info("event=downlink_cut meeting={} participant={} bps={} reason={} loss={} queue_delay_ms={}"
                        + " acked_bps={} feedback_ago_ms={} cuts={}", room.meetingId(), participantId,
                        e.estimateBps(nowNanos), e.reason(),
                        String.format(java.util.Locale.ROOT, "%.3f", e.lossFraction()), (long) e.detector().queueDelayMs(),
                        e.ackedBps(), (nowNanos - feedbackNanos) / 1_000_000, cutsSinceLog);
                lastCutLogNanos = nowNanos;
                cutsSinceLog = 0;
            }
            allocatingForCut = true;
            try {
                allocateAll(nowNanos);
            } finally {
                allocatingForCut = false;
            }
        }
        if (++feedbackTicks % ALLOCATION_EVERY_TICKS == 0) {
            allocateAll(nowNanos);
        }
        if (feedbackTicks % UplinkFeedback.EVERY_TICKS == 0 && uplink.extensionId() != 0) {
            uplink.sendDue(publisherTransport, anyPublishedSsrc());
        }
        Forwarder leg = paddingLeg;
        int padding = downlink.paddingPacketsDue(nowNanos, FEEDBACK_TICK_NANOS);
        if (leg != null && padding > 0) {
            ctx.router().sendPadding(leg, padding, nowNanos);
        }
    }

    /**
     * Logs each congestion-cut leg whose new layer started (its key frame forwarded), with how long
     * after the cut: the subscriber's picture held still meanwhile (ADR 0031).
     */
    private void reportSwitchedCutLegs(long nowNanos) {
        for (int i = cutLegs.size() - 1; i >= 0; i--) {
            Forwarder f = cutLegs.get(i);
            long[] cut = cutLegTimes.get(i);
            RtpStreamRewriter rewriter = f.leg().rewriter();
            boolean switched = rewriter.sourceSwitches() > cut[1];
            if (switched || closed || nowNanos - cut[0] > 10_000_000_000L) {
                log.info("event=simulcast_congestion_switch_done meeting={} subscriber={} track={} layer={} switched={}"
                        + " keyframe_after_ms={}", room.meetingId(), participantId, f.track().trackId(), cut[2], switched,
                        switched ? (rewriter.lastSwitchNanos() - cut[0]) / 1_000_000 : -1);
                cutLegs.remove(i);
                cutLegTimes.remove(i);
            }
        }
    }

    /** A media SSRC this participant publishes, for feedback that must name one; 0 before any is known. */
    private long anyPublishedSsrc() {
        for (PublishedTrack track : trackArray) {
            for (TrackLayer layer : track.layers()) {
                if (layer.mediaSsrc() >= 0) {
                    return layer.mediaSsrc();
                }
            }
        }
        return 0;
    }

    UplinkFeedback uplink() {
        return uplink;
    }

    /** At most one {@code downlink_cut} log line per subscriber this often. */
    private static final long CUT_LOG_EVERY_NANOS = 10_000_000_000L;
    private long lastCutLogNanos;
    private int cutsSinceLog;

    private long lastEstimateLogNanos;
    /** A downlink_estimate line per participant at most this often. */
    static final long ESTIMATE_LOG_INTERVAL_NANOS = 5_000_000_000L;

    /** The feedback tick's period, as MediaLoop schedules it. */
    static final long FEEDBACK_TICK_NANOS = 20_000_000L;

    RtcpReporter rtcpReporter() {
        return rtcp;
    }

    /** Periodic work on the loop: RTCP reports and receiver estimate, consent checks. */
    void tick(long nowNanos) {
        if (downlink.hasEstimate(nowNanos)) {
            long estimate = downlink.estimateBps(nowNanos);
            ctx.metrics().recordDownlinkEstimate(estimate);
            rtcp.sendDownlinkEstimate(subscriberTransport, estimate);
            // A line when the estimate moved by a quarter, at most one per ESTIMATE_LOG_INTERVAL: under
            // steady loss it swings every second, and each line allocates on the loop (the metric
            // records every value).
            if (Math.abs(estimate - lastLoggedEstimate) > lastLoggedEstimate / 4
                    && (lastEstimateLogNanos == 0 || nowNanos - lastEstimateLogNanos >= ESTIMATE_LOG_INTERVAL_NANOS)) {
                log.info("event=downlink_estimate meeting={} participant={} bps={} reason={} loss={} probes={}",
                        room.meetingId(), participantId, estimate, downlink.estimator().reason(),
                        String.format(java.util.Locale.ROOT, "%.3f", downlink.estimator().lossFraction()),
                        downlink.probes());
                lastLoggedEstimate = estimate;
                lastEstimateLogNanos = nowNanos;
            }
        }
        rtcp.sendReceiverReports(trackArray, publisherTransport, ctx.metrics(), nowNanos);
        rtcp.sendSenderReports(subscriptionArray, subscriberTransport, ctx.ntpClock(), nowNanos);
        int remb = 0;
        for (PublishedTrack track : trackArray) {
            for (TrackLayer layer : track.layers()) {
                if (layer.mediaSsrc() >= 0) {
                    if (remb == rembSsrcs.length) {
                        rembSsrcs = java.util.Arrays.copyOf(rembSsrcs, remb * 2);
                    }
                    rembSsrcs[remb++] = layer.mediaSsrc();
                }
            }
        }
        if (remb > 0) {
            publisherTransport.sendRemb(ctx.estimatedUplinkBps(), rembSsrcs, remb);
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
