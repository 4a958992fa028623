package dev.convene.control;

import dev.convene.sfu.PublishResult;
import dev.convene.sfu.SubscribeSettings;
import dev.convene.sfu.SubscribedTrack;
import dev.convene.sfu.TrackDeclaration;
import dev.convene.sfu.TrackInfo;
import java.util.List;

/**
 * Every frame of the control protocol (version {@value #VERSION}); {@code docs/control-protocol.md}
 * shows each on the wire. Requests go from a signaling node to an SFU node, carry a correlation
 * {@code id} and name the session they act on; the SFU answers each with exactly one reply of
 * the same id ({@link Ok}, {@link Published}, {@link Tracks} or {@link Error}). Events are pushed
 * by the SFU for one session. {@link Ping}/{@link Pong} keep the connection provably alive.
 */
sealed interface ControlFrame {

    int VERSION = 1;

    // ---- requests: signaling → SFU

    sealed interface Request extends ControlFrame {
        long id();

        String session();
    }

    record Join(long id, String session, String meetingId, String participantId) implements Request {}

    record DeclareTrack(long id, String session, TrackDeclaration declaration) implements Request {}

    record PublisherOffer(long id, String session, String sdp) implements Request {}

    record SubscriberAnswer(long id, String session, String sdp) implements Request {}

    record Unpublish(long id, String session, String trackId) implements Request {}

    record SetMuted(long id, String session, String trackId, boolean muted) implements Request {}

    record SetSubscribeSettings(long id, String session, String trackId, SubscribeSettings settings) implements Request {}

    /** A WHIP ingest: the session leaves every subscription and is offered nothing (ADR 0025). */
    record ReceiveNothing(long id, String session) implements Request {}

    /** A WHEP player's recvonly offer, answered with {@code publisherId}'s tracks (ADR 0025). */
    record PlayerOffer(long id, String session, String sdp, String publisherId) implements Request {}

    record PublishedTracks(long id, String session) implements Request {}

    record RoomTracks(long id, String session) implements Request {}

    record Close(long id, String session) implements Request {}

    /** Takes over a live session opened through any connection (a resume on another signaling node). */
    record Attach(long id, String session, String participantId) implements Request {}

    /** Lets go of the session, keeping its media on the SFU for {@code leaseMillis}. */
    record Detach(long id, String session, long leaseMillis) implements Request {}

    record Ping() implements ControlFrame {}

    // ---- replies: SFU → signaling, one per request

    sealed interface Reply extends ControlFrame {
        /** The request's id; 0 only on an {@link Error} about a frame whose id could not be read. */
        long id();
    }

    record Ok(long id) implements Reply {}

    record Published(long id, PublishResult result) implements Reply {}

    record Tracks(long id, List<TrackInfo> tracks) implements Reply {}

    /** Reply to {@link PlayerOffer}: the SFU's answer. */
    record PlayerAnswer(long id, String sdp) implements Reply {}

    record Error(long id, ControlError code, String message) implements Reply {}

    // ---- events: SFU → signaling

    /** First frame on an authenticated connection: which node answers, and that it may be used. */
    record Hello(String nodeId) implements ControlFrame {}

    record Pong() implements ControlFrame {}

    record SubscriberOffer(String session, String sdp, List<SubscribedTrack> tracks) implements ControlFrame {}

    record MediaFailed(String session, String reason) implements ControlFrame {}

    /** The room's speakers, dominant first (participant ids). */
    record ActiveSpeakers(String session, List<String> participantIds) implements ControlFrame {}

    /** Dynacast: which layers of its track the session's participant should send. */
    record PublishLayers(String session, String trackId, List<dev.convene.sfu.PublishLayer> layers)
            implements ControlFrame {}

    /** Another connection attached to the session: this one hears no more of it. */
    record SessionMoved(String session) implements ControlFrame {}
}
