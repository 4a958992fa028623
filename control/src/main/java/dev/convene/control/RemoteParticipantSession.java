package dev.convene.control;

import dev.convene.control.ControlFrame.Reply;
import dev.convene.sfu.ParticipantListener;
import dev.convene.sfu.ParticipantSession;
import dev.convene.sfu.PublishResult;
import dev.convene.sfu.SdpRejectedException;
import dev.convene.sfu.SubscribeSettings;
import dev.convene.sfu.SubscribedTrack;
import dev.convene.sfu.TrackDeclaration;
import dev.convene.sfu.TrackInfo;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A participant's session on a remote SFU: each call is a request on the node's control
 * connection that waits for the SFU's reply; the SFU's events for the session arrive through
 * {@link #deliverSubscriberOffer} and {@link #deliverMediaFailed}.
 */
final class RemoteParticipantSession implements ParticipantSession {

    private static final Logger log = LoggerFactory.getLogger(RemoteParticipantSession.class);

    private final ClientConnection connection;
    private final String sessionId;
    private final String participantId;
    private final ParticipantListener listener;
    private final AtomicBoolean ended = new AtomicBoolean();

    RemoteParticipantSession(ClientConnection connection, String sessionId, String participantId,
            ParticipantListener listener) {
        this.connection = connection;
        this.sessionId = sessionId;
        this.participantId = participantId;
        this.listener = listener;
    }

    @Override
    public String sessionId() {
        return sessionId;
    }

    @Override
    public String participantId() {
        return participantId;
    }

    @Override
    public void declareTrack(TrackDeclaration declaration) {
        expect(ControlFrame.Ok.class, connection.call(id -> new ControlFrame.DeclareTrack(id, sessionId, declaration),
                "declare_track"));
    }

    @Override
    public PublishResult onPublisherOffer(String sdpOffer) throws SdpRejectedException {
        Reply reply = connection.call(id -> new ControlFrame.PublisherOffer(id, sessionId, sdpOffer), "publisher_offer");
        return expectSdp(ControlFrame.Published.class, reply).result();
    }

    @Override
    public void onSubscriberAnswer(String sdpAnswer) throws SdpRejectedException {
        Reply reply = connection.call(id -> new ControlFrame.SubscriberAnswer(id, sessionId, sdpAnswer), "subscriber_answer");
        expectSdp(ControlFrame.Ok.class, reply);
    }

    @Override
    public void receiveNothing() {
        expect(ControlFrame.Ok.class, connection.call(id -> new ControlFrame.ReceiveNothing(id, sessionId),
                "receive_nothing"));
    }

    @Override
    public String onPlayerOffer(String sdpOffer, String publisherId) throws SdpRejectedException {
        Reply reply = connection.call(id -> new ControlFrame.PlayerOffer(id, sessionId, sdpOffer, publisherId),
                "player_offer");
        return expectSdp(ControlFrame.PlayerAnswer.class, reply).sdp();
    }

    @Override
    public void unpublish(String trackId) {
        expect(ControlFrame.Ok.class, connection.call(id -> new ControlFrame.Unpublish(id, sessionId, trackId), "unpublish"));
    }

    @Override
    public void setMuted(String trackId, boolean muted) {
        expect(ControlFrame.Ok.class, connection.call(id -> new ControlFrame.SetMuted(id, sessionId, trackId, muted),
                "set_muted"));
    }

    @Override
    public void setSubscribeSettings(String trackId, SubscribeSettings settings) {
        expect(ControlFrame.Ok.class, connection.call(
                id -> new ControlFrame.SetSubscribeSettings(id, sessionId, trackId, settings), "set_subscribe_settings"));
    }

    @Override
    public List<TrackInfo> publishedTracks() {
        return expect(ControlFrame.Tracks.class, connection.call(id -> new ControlFrame.PublishedTracks(id, sessionId),
                "published_tracks")).tracks();
    }

    @Override
    public List<TrackInfo> roomTracks() {
        return expect(ControlFrame.Tracks.class, connection.call(id -> new ControlFrame.RoomTracks(id, sessionId),
                "room_tracks")).tracks();
    }

    /**
     * Closes the session on the SFU. Never throws: if the connection is gone the SFU has closed
     * the session itself, and if the SFU does not answer it will when the connection ends.
     */
    @Override
    public void close() {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        connection.unregister(this);
        if (connection.isLost()) {
            return;
        }
        try {
            expect(ControlFrame.Ok.class, connection.call(id -> new ControlFrame.Close(id, sessionId), "close"));
        } catch (SfuControlException e) {
            log.info("event=control_close_unconfirmed session={} participant_id={} code={} error=\"{}\"", sessionId,
                    participantId, e.code(), e.getMessage());
        }
    }

    /**
     * Lets go of the session; the SFU keeps its media for {@code lease}. Never throws: if the
     * connection is gone the SFU has detached the session itself under its orphan lease.
     */
    @Override
    public void detach(Duration lease) {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        connection.unregister(this);
        if (connection.isLost()) {
            return;
        }
        try {
            expect(ControlFrame.Ok.class, connection.call(
                    id -> new ControlFrame.Detach(id, sessionId, Math.max(1, lease.toMillis())), "detach"));
        } catch (SfuControlException e) {
            log.info("event=control_detach_unconfirmed session={} participant_id={} code={} error=\"{}\"", sessionId,
                    participantId, e.code(), e.getMessage());
        }
    }

    // ---------------------------------------------------------------- events, on the connection's thread

    void deliverSubscriberOffer(String sdp, List<SubscribedTrack> tracks) {
        if (!ended.get()) {
            listener.onSubscriberOffer(sdp, tracks);
        }
    }

    void deliverActiveSpeakers(List<String> participantIds) {
        if (!ended.get()) {
            listener.onActiveSpeakers(participantIds);
        }
    }

    void deliverPublishLayers(String trackId, List<dev.convene.sfu.PublishLayer> layers) {
        if (!ended.get()) {
            listener.onPublishLayers(trackId, layers);
        }
    }

    void deliverMediaFailed(String reason) {
        if (ended.compareAndSet(false, true)) {
            listener.onMediaFailed(reason);
        }
    }

    void deliverSessionMoved() {
        if (ended.compareAndSet(false, true)) {
            listener.onSessionMoved();
        }
    }

    void deliverDetached(String reason) {
        if (ended.compareAndSet(false, true)) {
            listener.onDetached(reason);
        }
    }

    /** Marks the session ended without telling the listener (its join failed; the caller hears that). */
    void abandon() {
        ended.set(true);
        connection.unregister(this);
    }

    // ---------------------------------------------------------------- replies

    private static <R extends Reply> R expect(Class<R> type, Reply reply) {
        if (reply instanceof ControlFrame.Error e) {
            throw new SfuControlException(e.code().wire(), e.message());
        }
        if (!type.isInstance(reply)) {
            throw new SfuControlException(ControlError.INTERNAL.wire(),
                    "SFU answered with " + reply.getClass().getSimpleName() + " where " + type.getSimpleName() + " was due");
        }
        return type.cast(reply);
    }

    private static <R extends Reply> R expectSdp(Class<R> type, Reply reply) throws SdpRejectedException {
        if (reply instanceof ControlFrame.Error e && e.code() == ControlError.SDP_REJECTED) {
            throw new SdpRejectedException(e.message());
        }
        return expect(type, reply);
    }
}
