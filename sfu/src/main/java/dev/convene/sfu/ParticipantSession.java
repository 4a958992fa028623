package dev.convene.sfu;

import java.time.Duration;
import java.util.List;

/**
 * One participant's media on an SFU: a publisher transport (the client offers) and a
 * subscriber transport (the SFU offers), as LiveKit does, so server-driven renegotiation
 * never glares with the client's.
 */
public interface ParticipantSession {

    String participantId();

    /**
     * The session's id on its node, by which another caller may {@link SfuNode#attach} to it;
     * null for sessions that cannot outlive their caller.
     */
    default String sessionId() {
        return null;
    }

    /**
     * Declares what the client is about to publish on a publisher m-line. Declarations are
     * matched by {@code mid} when the next publisher offer arrives; an m-line without one is
     * taken as camera (video) or microphone (audio).
     */
    void declareTrack(TrackDeclaration declaration);

    /**
     * Answers the client's publisher offer. Tracks that appear or disappear with this offer are
     * returned so the caller can announce them; subscribers of the room get a subscriber offer
     * through their {@link ParticipantListener}.
     *
     * @throws SdpRejectedException if the offer cannot be used (malformed, no usable codec, no
     *     DTLS fingerprint, ...); the session is unchanged.
     */
    PublishResult onPublisherOffer(String sdpOffer) throws SdpRejectedException;

    /** Applies the client's answer to the last subscriber offer. */
    void onSubscriberAnswer(String sdpAnswer) throws SdpRejectedException;

    /** Stops forwarding a published track (the client stops it or unpublishes it). */
    void unpublish(String trackId);

    /** Marks a published track muted or unmuted; media of a muted track is not forwarded. */
    void setMuted(String trackId, boolean muted);

    /**
     * What this participant, as a subscriber, wants of another's track it receives (the size it
     * renders, paused, ...); the SFU picks the simulcast layer from it. A track it does not
     * receive is ignored (the request may race the track's end).
     */
    void setSubscribeSettings(String trackId, SubscribeSettings settings);

    /**
     * Makes this a publish-only session (a WHIP ingest): it leaves every subscription and is sent
     * no more subscriber offers. A node that cannot (over a control channel that lacks the call)
     * keeps subscribing it; nothing but wasted forwarding follows, as its subscriber transport never connects.
     */
    default void receiveNothing() {
    }

    /**
     * Answers a WHEP player's recvonly offer on the subscriber transport with {@code publisherId}'s
     * tracks, one per offered audio or video m-line (under the player's payload types); the session
     * then receives nothing else and is sent no subscriber offers.
     *
     * @throws SdpRejectedException if the offer cannot be used; the session is unchanged
     * @throws UnsupportedOperationException if this node cannot answer player offers (a remote node)
     */
    default String onPlayerOffer(String sdpOffer, String publisherId) throws SdpRejectedException {
        throw new UnsupportedOperationException("this SFU session cannot answer a player's offer");
    }

    /** Tracks this participant publishes now. */
    List<TrackInfo> publishedTracks();

    /**
     * Tracks the other participants of the room publish now, as the SFU has them (with their
     * mute state): what a joining participant is told about the others, whichever signaling
     * node they are connected to.
     */
    List<TrackInfo> roomTracks();

    /** Leaves the room: ends the participant's tracks on every subscriber and frees its transports. */
    void close();

    /**
     * Lets go of the session without ending its media: the participant stays in the room, its
     * tracks keep flowing, and the node closes it once {@code lease} passes without an
     * {@link SfuNode#attach}. Events meanwhile are not delivered (the last unanswered subscriber
     * offer is offered again on attach). Sessions that cannot outlive their caller close at once.
     */
    default void detach(Duration lease) {
        close();
    }
}
