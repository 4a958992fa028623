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
}
