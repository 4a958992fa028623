package dev.convene.sfu;

import java.util.List;

/** What an SFU tells the signaling layer about one participant. Called from SFU threads; must not block. */
public interface ParticipantListener {

    /**
     * The subscriber transport must be renegotiated: send this offer to the client and pass its
     * answer to {@link ParticipantSession#onSubscriberAnswer}. {@code tracks} maps each m-line
     * (by mid) to the remote track it carries.
     */
    void onSubscriberOffer(String sdpOffer, List<SubscribedTrack> tracks);

    /** Media to the client failed for good (ICE consent lost, DTLS failure); the session is closed. */
    void onMediaFailed(String reason);

    /**
     * Another caller attached to this session ({@link SfuNode#attach}); this listener hears
     * nothing more of it, and must not close it.
     */
    default void onSessionMoved() {
    }

    /**
     * This listener lost its way to the session (its control connection to the node broke), but
     * the session lives on on the node under its lease, so it can be attached to again. Callers
     * that cannot re-attach treat it as a failure.
     */
    default void onDetached(String reason) {
        onMediaFailed(reason);
    }

    /**
     * Who speaks in the room now, the dominant speaker first (participant ids; empty in
     * silence). Sent on a change, at most every 250 ms.
     */
    default void onActiveSpeakers(List<String> participantIds) {
    }

    /**
     * Which layers of its track {@code trackId} this participant should encode (dynacast): layers
     * nobody receives are paused, so the client stops encoding them.
     */
    default void onPublishLayers(String trackId, List<PublishLayer> layers) {
    }
}
