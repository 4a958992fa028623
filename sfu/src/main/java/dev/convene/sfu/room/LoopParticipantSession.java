package dev.convene.sfu.room;

import dev.convene.sfu.ParticipantSession;
import dev.convene.sfu.PublishResult;
import dev.convene.sfu.SdpRejectedException;
import dev.convene.sfu.SubscribeSettings;
import dev.convene.media.routing.simulcast.LayerSettings;
import dev.convene.sfu.TrackDeclaration;
import dev.convene.sfu.TrackInfo;
import dev.convene.sfu.negotiation.SdpTranslator;
import dev.convene.sfu.negotiation.SubscriberAnswer;
import java.util.List;

/** The {@link ParticipantSession} the signaling layer holds: every call runs on the media loop. */
final class LoopParticipantSession implements ParticipantSession {

    private final LoopExecutor loop;
    private final Participant participant;

    LoopParticipantSession(LoopExecutor loop, Participant participant) {
        this.loop = loop;
        this.participant = participant;
    }

    @Override
    public String participantId() {
        return participant.participantId();
    }

    @Override
    public void declareTrack(TrackDeclaration declaration) {
        loop.run(() -> participant.declareTrack(declaration));
    }

    @Override
    public PublishResult onPublisherOffer(String sdpOffer) throws SdpRejectedException {
        return loop.call(() -> participant.onPublisherOffer(sdpOffer));
    }

    @Override
    public void onSubscriberAnswer(String sdpAnswer) throws SdpRejectedException {
        // Parsed on the caller's thread: one m-line per track of the meeting is too much text for the media loop.
        SubscriberAnswer answer = SdpTranslator.readSubscriberAnswer(sdpAnswer);
        loop.call(() -> {
            participant.onSubscriberAnswer(answer);
            return null;
        });
    }

    @Override
    public void unpublish(String trackId) {
        loop.run(() -> participant.unpublish(trackId));
    }

    @Override
    public void setMuted(String trackId, boolean muted) {
        loop.post(() -> participant.setMuted(trackId, muted));
    }

    @Override
    public void setSubscribeSettings(String trackId, SubscribeSettings s) {
        LayerSettings settings = new LayerSettings(s.maxWidth(), s.maxHeight(), s.maxFps(), s.paused(), s.priority());
        loop.post(() -> participant.setSubscribeSettings(trackId, settings, s.pinned(), s.lastN()));
    }

    @Override
    public void receiveNothing() {
        loop.run(participant::receiveNothing);
    }

    @Override
    public String onPlayerOffer(String sdpOffer, String publisherId) throws SdpRejectedException {
        return loop.call(() -> participant.onPlayerOffer(sdpOffer, publisherId));
    }

    @Override
    public List<TrackInfo> publishedTracks() {
        return loop.get(participant::publishedTracks);
    }

    @Override
    public List<TrackInfo> roomTracks() {
        return loop.get(participant::roomTracks);
    }

    @Override
    public void close() {
        loop.run(participant::closeOnLoop);
    }
}
