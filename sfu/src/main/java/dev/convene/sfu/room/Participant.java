package dev.convene.sfu.room;

import dev.convene.media.core.rtcp.RtcpNack;
import dev.convene.media.core.rtp.RtpPacket;
import dev.convene.media.routing.OutboundStream;
import dev.convene.media.routing.PayloadTypeMap;
import dev.convene.media.routing.Retransmitter;
import dev.convene.media.routing.RtpStreamRewriter;
import dev.convene.media.routing.rtcp.SendStatistics;
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
                    : track != null ? track.inbound().rtx().rtxPayloadType() : media.rtxPayloadTypeFor(codec);
            answered.add(new AnsweredMedia(media, codec, rtxPayloadType));
            if (codec == null) {
                continue;
            }
            if (track == null) {
                track = new PublishedTrack(ctx.newId("TR_"), this, declarationFor(media), codec, rtxPayloadType);
                newTracks.add(track);
            }
            stillPublished.put(media.mid(), track);
            for (long ssrc : media.ssrcs()) {
                tracksBySsrc.put(ssrc, track);
            }
            for (long ssrc : media.rtxSsrcs()) {
                tracksBySsrc.put(ssrc, track);
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
                    requestKeyframe(track);
                }
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
        tracksBySsrc.removeIf(t -> t == track);
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
                PayloadTypeMap.of(track.codec().payloadType(), out.payloadType(), SfuCodecs.mediaCodec(out)));
        if (track.mediaSsrc() >= 0) {
            rewriter.switchTo(track.mediaSsrc());
        }
        int rtxPayloadType = SfuCodecs.rtxPayloadType(out);
        long rtxSsrc = 0;
        Retransmitter retransmitter = null;
        if (rtxPayloadType >= 0) {
            rtxSsrc = unusedOutputSsrc(outputSsrc);
            retransmitter = new Retransmitter(Retransmitter.Settings.defaults(), rtxSsrc, rtxPayloadType,
                    (int) ctx.newSsrc() & 0xFFFF);
        }
        Forwarder forwarder = new Forwarder(track, this, outputSsrc, rtxSsrc, new OutboundStream(rewriter, retransmitter),
                new SendStatistics(outputSsrc, out.clockRate()));
        slot.forwarder = forwarder;
        slot.codec = out;
        subscriptions.put(track, forwarder);
        forwardersByOutputSsrc.put(outputSsrc, forwarder);
        track.addForwarder(forwarder);
        requestKeyframe(track);
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
        PublishedTrack track = tracksBySsrc.get(ssrc);
        if (track == null) {
            track = trackByMidExtension();
            if (track == null) {
                ctx.counters().droppedUnroutable.increment();
                return;
            }
            tracksBySsrc.put(ssrc, track);
        }
        if (track.mediaSsrc() != ssrc && !track.inbound().isRtx(inbound)) {
            track.setMediaSsrc(ssrc);
            for (Forwarder f : track.forwarders()) {
                f.leg().rewriter().switchTo(ssrc);
            }
        }
        ctx.router().onPublisherRtp(track, inbound, ctx.nanoTime());
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
            requestKeyframe(f.track());
        }
    }

    @Override
    public void onNack(long mediaSsrc, RtcpNack nack) {
        Forwarder f = forwardersByOutputSsrc.get(mediaSsrc);
        if (f != null) {
            ctx.router().onNack(f, nack, feedbackNanos);
        }
    }

    void requestKeyframe(PublishedTrack track) {
        ctx.router().requestKeyframe(track, ctx.nanoTime());
    }

    /** Frequent work on the loop: NACKs due to the publisher. */
    void feedbackTick(long nowNanos) {
        for (PublishedTrack track : tracksByMid.values()) {
            ctx.router().sendDueNacks(track, nowNanos);
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
            long[] ssrcs = tracksByMid.values().stream().mapToLong(PublishedTrack::mediaSsrc).filter(s -> s >= 0).toArray();
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
                requestKeyframe(f.track());
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
