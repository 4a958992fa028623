package dev.convene.sfu.room;

import dev.convene.media.routing.InboundStream;
import dev.convene.sfu.TrackDeclaration;
import dev.convene.sfu.TrackInfo;
import dev.convene.sfu.TrackKind;
import dev.convene.sfu.negotiation.Codec;
import dev.convene.sfu.negotiation.SfuCodecs;
import java.util.ArrayList;
import java.util.List;

/**
 * A track a participant publishes: its receive-side stages ({@link InboundStream}) and the
 * forwarders that carry it to subscribers.
 */
final class PublishedTrack {

    private final String trackId;
    private final Participant publisher;
    private final TrackDeclaration declaration;
    private final Codec codec;
    private final InboundStream inbound;
    private final List<Forwarder> forwarders = new ArrayList<>();
    private Forwarder[] forwarderArray = new Forwarder[0];
    private boolean muted;
    private long mediaSsrc = -1;

    /** @param rtxPayloadType the publisher's negotiated RTX payload type for {@code codec}, or -1 */
    PublishedTrack(String trackId, Participant publisher, TrackDeclaration declaration, Codec codec, int rtxPayloadType) {
        this.trackId = trackId;
        this.publisher = publisher;
        this.declaration = declaration;
        this.codec = codec;
        boolean nack = declaration.kind() == TrackKind.VIDEO && codec.feedback().contains("nack");
        this.inbound = new InboundStream(InboundStream.Config.of(SfuCodecs.mediaCodec(codec), codec.payloadType(),
                rtxPayloadType, nack));
    }

    String trackId() {
        return trackId;
    }

    String mid() {
        return declaration.mid();
    }

    TrackKind kind() {
        return declaration.kind();
    }

    Participant publisher() {
        return publisher;
    }

    Codec codec() {
        return codec;
    }

    InboundStream inbound() {
        return inbound;
    }

    TrackInfo info() {
        return new TrackInfo(trackId, publisher.participantId(), declaration.mid(), declaration.kind(),
                declaration.source(), muted);
    }

    boolean muted() {
        return muted;
    }

    void setMuted(boolean muted) {
        this.muted = muted;
    }

    /** The SSRC the publisher sends this track with, once known; -1 before. */
    long mediaSsrc() {
        return mediaSsrc;
    }

    void setMediaSsrc(long ssrc) {
        this.mediaSsrc = ssrc;
        inbound.setMediaSsrc(ssrc);
    }

    /** A snapshot for the packet path; replaced, never mutated, when subscribers change. */
    Forwarder[] forwarders() {
        return forwarderArray;
    }

    void addForwarder(Forwarder f) {
        forwarders.add(f);
        forwarderArray = forwarders.toArray(Forwarder[]::new);
    }

    void removeForwarder(Forwarder f) {
        forwarders.remove(f);
        forwarderArray = forwarders.toArray(Forwarder[]::new);
    }
}
