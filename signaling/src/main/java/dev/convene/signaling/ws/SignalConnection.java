package dev.convene.signaling.ws;

import dev.convene.sfu.ParticipantListener;
import dev.convene.sfu.ParticipantSession;
import dev.convene.sfu.PublishResult;
import dev.convene.sfu.SdpRejectedException;
import dev.convene.sfu.SfuUnavailableException;
import dev.convene.sfu.SubscribedTrack;
import dev.convene.sfu.TrackDeclaration;
import dev.convene.sfu.TrackInfo;
import dev.convene.sfu.TrackKind;
import dev.convene.sfu.TrackSource;
import dev.convene.signaling.Ids;
import dev.convene.signaling.SignalingConfig;
import dev.convene.signaling.auth.JoinClaims;
import dev.convene.signaling.placement.NoSfuAvailableException;
import dev.convene.signaling.protocol.ClientMessage;
import dev.convene.signaling.protocol.ErrorCode;
import dev.convene.signaling.protocol.ProtocolCodec;
import dev.convene.signaling.protocol.ProtocolException;
import dev.convene.signaling.protocol.ServerMessage;
import dev.convene.signaling.protocol.ServerMessage.ChatView;
import dev.convene.signaling.protocol.ServerMessage.ParticipantView;
import dev.convene.signaling.protocol.ServerMessage.TrackView;
import dev.convene.signaling.protocol.Wire;
import dev.convene.store.ChatMessage;
import dev.convene.store.EventBus;
import dev.convene.store.MeetingEvent;
import dev.convene.store.Participant;
import dev.convene.store.StoreUnavailableException;
import dev.convene.store.TrackSummary;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One participant's signaling socket: the protocol state machine between the client, the SFU
 * session and the meeting's event topic.
 *
 * <p>Threads: Jetty delivers the socket's frames one at a time; SFU callbacks and event-bus
 * deliveries come from other threads. Frame handling and the one-time cleanup hold
 * {@code lifecycle}. Callbacks never take {@code lifecycle} (an SFU thread may hold its own locks
 * when it calls back); they only take {@code outboxLock}, a leaf lock that guards the queue of
 * frames held back until {@code joined} is sent, and nothing is called while it is held but
 * {@link Outbox#send}. Every frame leaves through the {@link Outbox}.
 */
final class SignalConnection implements ParticipantListener, SfuFailover.Movable {

    private static final Logger log = LoggerFactory.getLogger(SignalConnection.class);
    static final int RECENT_CHAT = 50;

    /** Presence outlives the heartbeat timeout by this, so a client's ping cadence never lets it lapse. */
    private static final Duration PRESENCE_SLACK = Duration.ofSeconds(5);

    private enum State { OPEN, JOINED, CLOSED }

    /** What an ending does to the participant (ADR 0017). */
    enum Ending {
        /** It leaves now: session closed, seat released, the others told. */
        LEAVE,
        /** Its socket is gone but it may resume: session detached, lease left to run, nobody told. */
        DETACH,
        /** Another socket took its place (a resume elsewhere): only this socket ends. */
        HANDED_OVER
    }

    /** One of this participant's published tracks, with the publisher m-line it came on. */
    private record OwnTrack(String trackId, String mid, TrackKind kind, TrackSource source, boolean muted) {
        OwnTrack withMuted(boolean m) {
            return new OwnTrack(trackId, mid, kind, source, m);
        }
    }

    private final SignalingSockets hub;
    private final String connectionId;
    private final String socketId;
    /** Null on a socket opened without a join token until its {@code resume} succeeds. */
    private volatile JoinClaims claims;
    private final Outbox outbox;
    private final RateWindow rate;
    private volatile long lastFrameMillis;
    private final long openedAtMillis;
    private final AtomicBoolean terminating = new AtomicBoolean();
    /** Null until the socket knows whose it is (a socket opened for {@code resume} learns it then). */
    private volatile HostControls hostControls;

    private final ReentrantLock lifecycle = new ReentrantLock();
    private volatile State state = State.OPEN;
    private ParticipantSession session;
    /**
     * The listener of the session a migrate bound last; null while the session is bound to this
     * connection itself (joined or resumed here). Callbacks from any other binding are stale.
     */
    private volatile Binding binding;
    private EventBus.Subscription subscription;
    /** Replaced whole on change, so other sockets may read it for their {@code joined} at any time. */
    private volatile List<OwnTrack> ownTracks = List.of();

    private final Object outboxLock = new Object();
    private boolean joinedSent;
    private List<ServerMessage> heldBack = new ArrayList<>();
    /**
     * The id of the subscriber offer of the bound session that awaits the client's answer; null
     * when none does. Guarded by {@code outboxLock}, under which a migrate rebinds.
     */
    private String outstandingOffer;
    private final Set<String> knownPeers = new HashSet<>();
    private final Set<String> knownTracks = new HashSet<>();

    SignalConnection(SignalingSockets hub, Outbox outbox, String connectionId, String socketId, JoinClaims claims) {
        this.hub = hub;
        this.socketId = socketId;
        this.outbox = outbox;
        this.connectionId = connectionId;
        this.claims = claims;
        this.rate = new RateWindow(hub.config().maxFramesPerSecond());
        this.lastFrameMillis = hub.clock().millis();
        this.hostControls = claims == null ? null : new HostControls(this, hub, claims);
        this.openedAtMillis = lastFrameMillis;
    }

    @Override
    public String sfuNodeId() {
        JoinClaims c = claims;
        return c == null ? null : c.sfuNodeId();
    }

    /** Whether the socket was opened without a join token and has not resumed yet. */
    boolean isAnonymous() {
        return claims == null;
    }

    /** When the socket was opened ({@code hub.clock()} ms). */
    long openedAtMillis() {
        return openedAtMillis;
    }

    @Override
    public boolean isJoined() {
        return state == State.JOINED;
    }

    /** In the waiting room: its seat is held for it, it has not joined yet. */
    boolean isWaiting() {
        HostControls h = hostControls;
        return state == State.OPEN && h != null && h.isWaiting();
    }

    @Override
    public UUID meetingId() {
        JoinClaims c = claims;
        return c == null ? null : c.meetingId();
    }

    String participantId() {
        JoinClaims c = claims;
        return c == null ? null : c.participantId();
    }

    String connectionId() {
        return connectionId;
    }

    /** Jetty's id of the socket. */
    String socketId() {
        return socketId;
    }

    long silentMillis(long nowMillis) {
        return nowMillis - lastFrameMillis;
    }

    // ---------------------------------------------------------------- inbound

    void onText(String text) {
        long now = hub.clock().millis();
        lastFrameMillis = now;
        if (state == State.CLOSED || outbox.closing()) {
            return;
        }
        switch (rate.onFrame(now)) {
            case ACCEPT -> { }
            case REJECT_AND_TELL -> {
                sendError(ErrorCode.RATE_LIMITED, "More than " + hub.config().maxFramesPerSecond()
                        + " frames a second; frames are dropped for the rest of this second", null);
                return;
            }
            case REJECT_QUIETLY -> {
                return;
            }
        }
        if (!withinLimit(text)) {
            return;
        }
        ClientMessage message;
        try {
            message = hub.codec().decode(text);
        } catch (ProtocolException e) {
            sendError(e.code(), e.getMessage(), e.requestId());
            return;
        }
        lifecycle.lock();
        try {
            if (state != State.CLOSED) {
                dispatch(message);
            }
        } catch (ProtocolException e) {
            sendError(e.code(), e.getMessage(), e.requestId());
        } catch (SfuUnavailableException e) {
            log.warn("event=sfu_unavailable connection_id={} meeting_id={} participant_id={} error=\"{}\"", connectionId,
                    meetingId(), participantId(), e.getMessage());
            sendError(ErrorCode.SFU_UNAVAILABLE, "The media server did not answer; try again or rejoin", message.requestId());
        } catch (RuntimeException e) {
            log.warn("event=ws_frame_failed connection_id={} meeting_id={} participant_id={} type={} error={}",
                    connectionId, meetingId(), participantId(), message.getClass().getSimpleName(), e.toString());
            sendError(ErrorCode.INTERNAL_ERROR, "The server could not handle this frame", message.requestId());
        } finally {
            lifecycle.unlock();
        }
    }

    void onBinary() {
        lastFrameMillis = hub.clock().millis();
        sendError(ErrorCode.MALFORMED_MESSAGE, "Frames are JSON text, not binary", null);
    }

    /**
     * Whether the frame is within its limit: {@code maxFrameBytes}, except for an {@code answer},
     * which carries a subscriber's SDP with one m-line per track of the meeting (ADR 0034). A long
     * frame's head is peeked without building the frame (one scan), so the refusal names its
     * {@code request_id} and a client awaiting the reply is not left waiting.
     */
    private boolean withinLimit(String text) {
        SignalingConfig config = hub.config();
        if (!longerThan(text, config.maxFrameBytes())) {
            return true;
        }
        ProtocolCodec.Head head = hub.codec().peek(text);
        if ("answer".equals(head.type()) && !longerThan(text, config.maxAnswerFrameBytes())) {
            return true;
        }
        sendError(ErrorCode.FRAME_TOO_LARGE, "Frames are limited to " + config.maxFrameBytes()
                + " bytes, subscriber answers to " + config.maxAnswerFrameBytes(), head.requestId());
        return false;
    }

    private static boolean longerThan(String text, int maxBytes) {
        if (text.length() > maxBytes) {
            return true;
        }
        // Most frames are ASCII; count UTF-8 bytes only when characters could outgrow the limit.
        return (long) text.length() * 3 > maxBytes && text.getBytes(StandardCharsets.UTF_8).length > maxBytes;
    }

    private void dispatch(ClientMessage message) throws ProtocolException {
        switch (message) {
            case ClientMessage.Ping p -> {
                reply(new ServerMessage.Pong(p.requestId()));
                if (state == State.JOINED) {
                    touchPresence();
                }
            }
            case ClientMessage.Join j -> join(j);
            case ClientMessage.Resume r -> resume(r);
            case ClientMessage.Leave l -> cleanup(1000, "leave", "leave", true);
            default -> {
                if (state != State.JOINED) {
                    throw new ProtocolException(ErrorCode.NOT_JOINED, "Send join first", message.requestId());
                }
                handleJoined(message);
            }
        }
    }

    private void handleJoined(ClientMessage message) throws ProtocolException {
        switch (message) {
            case ClientMessage.Publish p -> {
                TrackDeclaration d = new TrackDeclaration(p.mid(), Wire.kind(p.kind()), Wire.source(p.source()));
                session.declareTrack(d);
            }
            case ClientMessage.Offer o -> publisherOffer(o);
            case ClientMessage.Answer a -> subscriberAnswer(a);
            case ClientMessage.IceCandidate c -> { } // ICE-lite: the SFU learns the address from STUN checks.
            case ClientMessage.Unpublish u -> {
                OwnTrack track = ownTrack(u.trackId(), u.requestId());
                session.unpublish(track.trackId());
                ownTracks = ownTracks.stream().filter(t -> !t.trackId().equals(track.trackId())).toList();
                publish(new MeetingEvent.TrackUnpublished(participantId(), track.trackId()));
            }
            case ClientMessage.Mute m -> {
                OwnTrack track = ownTrack(m.trackId(), m.requestId());
                if (!m.muted()) {
                    hostControls.checkUnmute(track.trackId(), m.requestId());
                }
                session.setMuted(track.trackId(), m.muted());
                ownTracks = ownTracks.stream()
                        .map(t -> t.trackId().equals(track.trackId()) ? t.withMuted(m.muted()) : t).toList();
                publish(new MeetingEvent.TrackMuted(participantId(), track.trackId(), m.muted()));
            }
            case ClientMessage.SubscribeSettings s -> session.setSubscribeSettings(s.trackId(), s.settings());
            case ClientMessage.Chat c -> chat(c);
            case ClientMessage.Join j -> throw new IllegalStateException("handled before");
            case ClientMessage.Ping p -> throw new IllegalStateException("handled before");
            case ClientMessage.Leave l -> throw new IllegalStateException("handled before");
            case ClientMessage.Resume r -> throw new IllegalStateException("handled before");
        }
    }

    private OwnTrack ownTrack(String trackId, String requestId) throws ProtocolException {
        for (OwnTrack t : ownTracks) {
            if (t.trackId().equals(trackId)) {
                return t;
            }
        }
        throw new ProtocolException(ErrorCode.UNKNOWN_TRACK, "You publish no track " + trackId, requestId);
    }

    private void join(ClientMessage.Join request) throws ProtocolException {
        if (state == State.JOINED) {
            throw new ProtocolException(ErrorCode.ALREADY_JOINED, "This socket has joined already", request.requestId());
        }
        if (claims == null) {
            throw new ProtocolException(ErrorCode.NOT_JOINED,
                    "This socket was opened without a join token: send resume, or open it with ?token=", request.requestId());
        }
        if (hostControls.mayJoin(request)) {
            enter(request);
        }
    }

    /** A host admitted this socket from the waiting room: the held {@code join} goes ahead. Under {@code lifecycle}. */
    void joinNow(ClientMessage.Join request) {
        if (state != State.OPEN) {
            return;
        }
        try {
            enter(request);
        } catch (ProtocolException e) {
            sendError(e.code(), e.getMessage(), e.requestId());
        } catch (RuntimeException e) {
            log.warn("event=admitted_join_failed connection_id={} meeting_id={} participant_id={} error={}", connectionId,
                    meetingId(), participantId(), e.toString());
            sendError(ErrorCode.SFU_UNAVAILABLE, "Joining after admission failed; rejoin", request.requestId());
        }
    }

    private void enter(ClientMessage.Join request) throws ProtocolException {
        UUID meeting = meetingId();
        String me = participantId();
        subscription = hub.stores().events().subscribe(meeting, (id, event) -> onMeetingEvent(event));
        try {
            session = joinFollowingMoves(meeting, me);
        } catch (RuntimeException e) {
            subscription.close();
            subscription = null;
            throw e;
        }
        touchPresence();
        hub.resumption().holdLease(meeting, me);
        hub.stores().participants().record(
                Participant.joined(me, meeting, claims.userId(), claims.displayName(), hub.clock().instant()));

        List<ParticipantView> others = othersNow();
        List<ChatView> chat = hub.stores().chat().recent(meeting, RECENT_CHAT).stream().map(SignalConnection::chatView).toList();
        String resumeToken = hub.resumption().token(claims, session);
        ServerMessage.Joined joined = new ServerMessage.Joined(request.requestId(), meeting.toString(), me, others, chat, resumeToken);
        state = State.JOINED;
        sendSnapshot(joined, others);
        publish(new MeetingEvent.ParticipantJoined(me, claims.displayName()));
        hostControls.onJoined();
        log.info("event=participant_joined meeting_id={} participant_id={} connection_id={} others={}",
                meeting, me, connectionId, others.size());
    }

    /** How long a join whose SFU just went silent waits for the failover to say where the meeting went. */
    static final Duration JOIN_FOLLOWS_MOVE_FOR = Duration.ofSeconds(4);

    /**
     * Joins on the meeting's SFU as it is now, not as the join token had it: a token issued just
     * before its SFU died names the dead node, and the meeting moves while the socket opens (ADR
     * 0029). If the node does not answer because its control connection is down, the join waits
     * (bounded) for this node's failover verdict, which moves the meeting, and follows it. Under
     * {@code lifecycle}, before the participant is joined: no migrate can run meanwhile.
     */
    private ParticipantSession joinFollowingMoves(UUID meeting, String me) {
        String nodeId = hub.sfus().nodeForJoin(meeting, claims.sfuNodeId());
        long deadline = System.nanoTime() + JOIN_FOLLOWS_MOVE_FOR.toNanos();
        while (true) {
            try {
                ParticipantSession joinedOn = hub.sfus().node(nodeId).join(meeting.toString(), me, this);
                if (!nodeId.equals(claims.sfuNodeId())) {
                    log.info("event=join_followed_move meeting_id={} participant_id={} token_sfu={} sfu_node_id={}", meeting,
                            me, claims.sfuNodeId(), nodeId);
                    JoinClaims c = claims;
                    claims = new JoinClaims(c.meetingId(), c.participantId(), c.userId(), c.displayName(), nodeId,
                            c.expiresAt(), c.hostGrant());
                }
                return joinedOn;
            } catch (SfuUnavailableException | NoSfuAvailableException e) {
                // A node that answers and refuses is not dying: only silence is worth waiting out.
                boolean silent = e instanceof NoSfuAvailableException || !hub.sfus().reachable(nodeId);
                if (!silent || System.nanoTime() > deadline) {
                    throw e;
                }
                java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
                nodeId = hub.sfus().nodeForJoin(meeting, nodeId);
            }
        }
    }

    /**
     * Takes the participant's place again: the token names the meeting, the participant and its
     * session on the SFU, which this node attaches to; the lease decides, atomically against the
     * sweepers, whether the participant is still there to come back (ADR 0017).
     */
    private void resume(ClientMessage.Resume request) throws ProtocolException {
        if (state == State.JOINED) {
            throw new ProtocolException(ErrorCode.ALREADY_JOINED, "This socket has joined already", request.requestId());
        }
        Resumption.Resumed r = hub.resumption().resume(request, claims, this, connectionId,
                (m, p) -> hub.releaseLocal(m, p, this));
        claims = r.claims();
        session = r.session();
        hostControls = new HostControls(this, hub, claims);
        UUID meeting = meetingId();
        String me = participantId();
        // Subscribed before the snapshot below, so whatever happened since the attach is in one or the other.
        subscription = hub.stores().events().subscribe(meeting, (id, event) -> onMeetingEvent(event));
        hub.adopt(this);
        List<OwnTrack> own = new ArrayList<>();
        for (TrackInfo t : session.publishedTracks()) {
            own.add(new OwnTrack(t.trackId(), t.mid(), t.kind(), t.source(), t.muted()));
        }
        ownTracks = List.copyOf(own);
        touchPresence();
        List<ParticipantView> others = othersNow();
        List<ChatView> chat = hub.stores().chat().recent(meeting, RECENT_CHAT).stream().map(SignalConnection::chatView).toList();
        List<ServerMessage.PublishedTrack> tracks = ownTracks.stream()
                .map(t -> new ServerMessage.PublishedTrack(t.mid(), t.trackId(), Wire.of(t.kind()), Wire.of(t.source())))
                .toList();
        ServerMessage.Resumed resumed = new ServerMessage.Resumed(request.requestId(), meeting.toString(), me, others, chat,
                tracks, hub.resumption().token(claims, session));
        state = State.JOINED;
        if (r.migratedFrom() == null) {
            sendSnapshot(resumed, others);
        } else {
            // The session is a fresh one on the meeting's new SFU (ADR 0030): the client learns it
            // resumed, then that it moved, and only then sees the new SFU's offers.
            sendSnapshot(resumed, others, new ServerMessage.Migrate(hub.resumption().token(claims, session)));
        }
        hostControls.onJoined();
        log.info("event=participant_resumed meeting_id={} participant_id={} connection_id={} session={} others={}",
                meeting, me, connectionId, session.sessionId(), others.size());
    }

    /** The others in the meeting now, with their tracks as the SFU has them. */
    private List<ParticipantView> othersNow() {
        UUID meeting = meetingId();
        String me = participantId();
        // The others' tracks come from the SFU, which has every participant's, on any signaling node.
        Map<String, List<TrackView>> tracksByParticipant = new HashMap<>();
        for (TrackInfo t : session.roomTracks()) {
            tracksByParticipant.computeIfAbsent(t.participantId(), id -> new ArrayList<>())
                    .add(new TrackView(t.trackId(), Wire.of(t.kind()), Wire.of(t.source()), t.muted()));
        }
        List<ParticipantView> others = new ArrayList<>();
        for (Participant p : hub.stores().present(meeting)) {
            if (!p.id().equals(me)) {
                List<TrackView> tracks = tracksByParticipant.getOrDefault(p.id(), List.of());
                others.add(new ParticipantView(p.id(), p.displayName(), tracks));
            }
        }
        return others;
    }

    /** Sends {@code joined}/{@code resumed}, then what was held back meanwhile, each event once. */
    private void sendSnapshot(ServerMessage snapshot, List<ParticipantView> others) {
        sendSnapshot(snapshot, others, null);
    }

    /** As {@link #sendSnapshot(ServerMessage, List)}, with {@code then} (if not null) right after the snapshot. */
    private void sendSnapshot(ServerMessage snapshot, List<ParticipantView> others, ServerMessage then) {
        synchronized (outboxLock) {
            outbox.send(hub.codec().encode(snapshot));
            if (then != null) {
                outbox.send(hub.codec().encode(then));
            }
            for (ParticipantView p : others) {
                knownPeers.add(p.participantId());
                p.tracks().forEach(t -> knownTracks.add(t.trackId()));
            }
            joinedSent = true;
            for (ServerMessage m : heldBack) {
                sendFiltered(m);
            }
            heldBack = null;
        }
    }

    private void publisherOffer(ClientMessage.Offer offer) throws ProtocolException {
        PublishResult result;
        try {
            result = session.onPublisherOffer(offer.sdp());
        } catch (SdpRejectedException e) {
            throw new ProtocolException(ErrorCode.BAD_SDP, e.getMessage(), offer.requestId());
        }
        Set<String> removedIds = new HashSet<>();
        result.removed().forEach(t -> removedIds.add(t.trackId()));
        List<OwnTrack> now = new ArrayList<>();
        for (OwnTrack t : ownTracks) {
            if (!removedIds.contains(t.trackId())) {
                now.add(t);
            }
        }
        for (TrackInfo t : result.added()) {
            now.add(new OwnTrack(t.trackId(), t.mid(), t.kind(), t.source(), t.muted()));
        }
        ownTracks = List.copyOf(now);
        List<ServerMessage.PublishedTrack> tracks = now.stream()
                .map(t -> new ServerMessage.PublishedTrack(t.mid(), t.trackId(), Wire.of(t.kind()), Wire.of(t.source())))
                .toList();
        reply(new ServerMessage.Answer(offer.requestId(), Wire.PUBLISHER, result.sdpAnswer(), tracks));
        for (TrackInfo t : result.added()) {
            publish(new MeetingEvent.TrackPublished(participantId(),
                    new TrackSummary(t.trackId(), Wire.toStore(t.kind()), Wire.toStore(t.source()), t.muted())));
        }
        for (TrackInfo t : result.removed()) {
            publish(new MeetingEvent.TrackUnpublished(participantId(), t.trackId()));
        }
    }

    /**
     * An answer that names an offer answers that offer or nothing (ADR 0028): the client may still
     * be answering an offer of the session a {@code migrate} replaced while the new session's offer
     * is outstanding, and the new SFU would take that answer (the old transport's fingerprint) as
     * its own and fail DTLS. An answer without an id (first protocol revision) goes to the session as before.
     */
    private void subscriberAnswer(ClientMessage.Answer a) throws ProtocolException {
        String answered = a.offerId();
        if (answered != null) {
            String outstanding;
            synchronized (outboxLock) {
                outstanding = outstandingOffer;
            }
            if (!answered.equals(outstanding)) {
                // Counted as convene_signaling_ws_errors{code="stale_answer"} by the error frame.
                log.debug("event=stale_answer_dropped meeting_id={} participant_id={} offer_id={} outstanding={}",
                        meetingId(), participantId(), answered, outstanding);
                throw new ProtocolException(ErrorCode.STALE_ANSWER,
                        "Offer " + answered + " is not the outstanding subscriber offer; the answer was dropped", a.requestId());
            }
        }
        try {
            session.onSubscriberAnswer(a.sdp());
        } catch (SdpRejectedException e) {
            throw new ProtocolException(ErrorCode.BAD_SDP, e.getMessage(), a.requestId());
        }
        if (answered != null) {
            synchronized (outboxLock) {
                // The session may have made its next offer already, from its own thread: that one stays outstanding.
                if (answered.equals(outstandingOffer)) {
                    outstandingOffer = null;
                }
            }
        }
        reply(new ServerMessage.Ack(a.requestId(), "answer"));
    }

    private void chat(ClientMessage.Chat request) {
        ChatMessage message = new ChatMessage(Ids.chatMessage(), meetingId(), participantId(), claims.displayName(),
                request.text().strip(), hub.clock().instant());
        hub.stores().chat().append(message);
        // The sender's copy goes straight back with its request_id; the others get it from the bus.
        ChatView v = chatView(message);
        reply(new ServerMessage.Chat(v.messageId(), v.participantId(), v.displayName(), v.text(), v.sentAt(), request.requestId()));
        publish(new MeetingEvent.ChatPosted(message));
    }

    void publish(MeetingEvent event) {
        hub.stores().events().publish(meetingId(), event);
    }

    // ---------------------------------------------------------------- outbound

    void reply(ServerMessage message) {
        outbox.send(hub.codec().encode(message));
    }

    void sendError(ErrorCode code, String message, String requestId) {
        hub.metrics().wsError(code.wire());
        outbox.send(hub.codec().encode(new ServerMessage.Error(code, message, requestId)));
    }

    /** Frames not answering a client frame: held back until {@code joined} is out, then de-duplicated. */
    /**
     * As {@link #deliver}, for a message of the session bound through {@code from} (null: bound to
     * this connection directly): dropped unless that is still the latest binding. Checked under
     * {@code outboxLock}, which a migrate holds while it rebinds, so a left-behind session's offer
     * can never reach the client after {@code migrate}.
     */
    private void deliverFrom(Binding from, ServerMessage message) {
        synchronized (outboxLock) {
            if (binding != from) {
                return;
            }
            deliver(message);
        }
    }

    void deliver(ServerMessage message) {
        synchronized (outboxLock) {
            if (!joinedSent) {
                if (heldBack.size() < Outbox.CAPACITY) {
                    heldBack.add(message);
                }
                return;
            }
            sendFiltered(message);
        }
    }

    /**
     * Between subscribing and the snapshot in {@code joined}, a participant or track may be both in
     * the snapshot and in an event; the client hears of each once.
     */
    private void sendFiltered(ServerMessage message) {
        boolean fresh = switch (message) {
            case ServerMessage.ParticipantJoined pj -> knownPeers.add(pj.participant().participantId());
            case ServerMessage.ParticipantLeft pl -> knownPeers.remove(pl.participantId());
            case ServerMessage.TrackPublished tp -> knownTracks.add(tp.track().trackId());
            case ServerMessage.TrackUnpublished tu -> knownTracks.remove(tu.trackId());
            default -> true;
        };
        if (fresh) {
            outbox.send(hub.codec().encode(message));
        }
    }

    private void onMeetingEvent(MeetingEvent event) {
        if (event instanceof MeetingEvent.Moderation) {
            hostControls.onEvent(event);
            return;
        }
        if (event.participantId().equals(participantId())) {
            return;
        }
        ServerMessage message = switch (event) {
            case MeetingEvent.ParticipantJoined e ->
                    new ServerMessage.ParticipantJoined(new ParticipantView(e.participantId(), e.displayName(), List.of()));
            case MeetingEvent.ParticipantLeft e -> new ServerMessage.ParticipantLeft(e.participantId());
            case MeetingEvent.TrackPublished e -> new ServerMessage.TrackPublished(e.participantId(),
                    new TrackView(e.track().trackId(), Wire.of(e.track().kind()), Wire.of(e.track().source()), e.track().muted()));
            case MeetingEvent.TrackUnpublished e -> new ServerMessage.TrackUnpublished(e.participantId(), e.trackId());
            case MeetingEvent.TrackMuted e -> new ServerMessage.TrackMuted(e.participantId(), e.trackId(), e.muted());
            case MeetingEvent.ChatPosted e -> {
                ChatView v = chatView(e.message());
                yield new ServerMessage.Chat(v.messageId(), v.participantId(), v.displayName(), v.text(), v.sentAt(), null);
            }
            case MeetingEvent.Moderation e -> throw new IllegalStateException("handled before");
        };
        deliver(message);
    }

    // Callbacks of a session bound to this connection directly (joined or resumed here). Once a
    // migrate has bound a newer session, these come from a session left behind and are dropped:
    // a drained SFU's old session closing, or its ICE consent lapsing when the client lets go of
    // it, must not end the participant who lives on elsewhere.

    @Override
    public void onSubscriberOffer(String sdpOffer, List<SubscribedTrack> tracks) {
        subscriberOffer(null, sdpOffer, tracks);
    }

    @Override
    public void onActiveSpeakers(List<String> participantIds) {
        activeSpeakers(null, participantIds);
    }

    @Override
    public void onPublishLayers(String trackId, List<dev.convene.sfu.PublishLayer> layers) {
        publishLayers(null, trackId, layers);
    }

    @Override
    public void onMediaFailed(String reason) {
        if (binding == null) {
            mediaFailed(reason);
        } else {
            staleCallback("media_failed");
        }
    }

    @Override
    public void onSessionMoved() {
        if (binding == null) {
            sessionMoved();
        } else {
            staleCallback("session_moved");
        }
    }

    @Override
    public void onDetached(String reason) {
        if (binding == null) {
            detached(reason);
        } else {
            staleCallback("detached");
        }
    }

    private void staleCallback(String what) {
        log.debug("event=stale_session_callback meeting_id={} participant_id={} callback={}", meetingId(), participantId(),
                what);
    }

    /**
     * The listener of a session a migrate made: it speaks for this connection only while it is the
     * latest binding, so callbacks of any session left behind (and of this one, once left behind
     * by a later migrate) go nowhere.
     */
    private final class Binding implements ParticipantListener {
        private boolean current() {
            return binding == this;
        }

        @Override
        public void onSubscriberOffer(String sdpOffer, List<SubscribedTrack> tracks) {
            subscriberOffer(this, sdpOffer, tracks);
        }

        @Override
        public void onActiveSpeakers(List<String> participantIds) {
            activeSpeakers(this, participantIds);
        }

        @Override
        public void onPublishLayers(String trackId, List<dev.convene.sfu.PublishLayer> layers) {
            publishLayers(this, trackId, layers);
        }

        @Override
        public void onMediaFailed(String reason) {
            if (current()) {
                mediaFailed(reason);
            } else {
                staleCallback("media_failed");
            }
        }

        @Override
        public void onSessionMoved() {
            if (current()) {
                sessionMoved();
            } else {
                staleCallback("session_moved");
            }
        }

        @Override
        public void onDetached(String reason) {
            if (current()) {
                detached(reason);
            } else {
                staleCallback("detached");
            }
        }
    }

    private void subscriberOffer(Binding from, String sdpOffer, List<SubscribedTrack> tracks) {
        List<ServerMessage.SubscribedTrackView> views = tracks.stream()
                .map(s -> new ServerMessage.SubscribedTrackView(s.mid(), s.track().participantId(), s.track().trackId(),
                        Wire.of(s.track().kind()), Wire.of(s.track().source())))
                .toList();
        synchronized (outboxLock) {
            if (binding != from) {
                return;
            }
            String id = Ids.offer();
            outstandingOffer = id;
            deliver(new ServerMessage.Offer(Wire.SUBSCRIBER, sdpOffer, views, id));
        }
    }

    private void activeSpeakers(Binding from, List<String> participantIds) {
        deliverFrom(from, new ServerMessage.ActiveSpeakers(List.copyOf(participantIds)));
    }

    private void publishLayers(Binding from, String trackId, List<dev.convene.sfu.PublishLayer> layers) {
        deliverFrom(from, new ServerMessage.Layers(trackId, layers.stream()
                .map(l -> new ServerMessage.LayerView(l.index(), l.rid(), l.active())).toList()));
    }

    private void mediaFailed(String reason) {
        log.warn("event=media_failed meeting_id={} participant_id={} reason={}", meetingId(), participantId(), reason);
        terminate(1011, "media failed", "media_failed");
    }

    /**
     * A host muted this participant's tracks of {@code kind}: the SFU stops forwarding them and the
     * others see them muted. Returns every track of the kind (muted before or now).
     */
    List<String> muteOwnTracks(TrackKind kind) {
        return withLifecycle(() -> {
            if (state != State.JOINED) {
                return List.<String>of();
            }
            List<String> ofKind = new ArrayList<>();
            for (OwnTrack t : ownTracks) {
                if (t.kind() == kind) {
                    ofKind.add(t.trackId());
                    if (!t.muted()) {
                        session.setMuted(t.trackId(), true);
                        publish(new MeetingEvent.TrackMuted(participantId(), t.trackId(), true));
                    }
                }
            }
            ownTracks = ownTracks.stream().map(t -> t.kind() == kind ? t.withMuted(true) : t).toList();
            return ofKind;
        });
    }

    /** Runs under the lifecycle lock, from a thread that may wait for it (never an SFU or event-bus callback). */
    <T> T withLifecycle(Supplier<T> action) {
        lifecycle.lock();
        try {
            return action.get();
        } finally {
            lifecycle.unlock();
        }
    }

    void withLifecycle(Runnable action) {
        withLifecycle(() -> {
            action.run();
            return null;
        });
    }

    private void sessionMoved() {
        log.info("event=session_moved meeting_id={} participant_id={} connection_id={}", meetingId(), participantId(),
                connectionId);
        end(SignalingSockets.CLOSE_REPLACED, "resumed elsewhere", "resumed_elsewhere", Ending.HANDED_OVER);
    }

    private void detached(String reason) {
        // The SFU may be dead or this was a blip; the failover decides which (ADR 0019).
        log.warn("event=session_detached meeting_id={} participant_id={} reason=\"{}\"", meetingId(), participantId(), reason);
        hub.failover().onDetached(this, sfuNodeId());
    }

    /** The control connection came back: the session lives on on the SFU, and the client resumes and re-attaches to it. */
    @Override
    public void resumeOnSameSfu() {
        end(CLOSE_RESUME, "reconnect and resume", "control_lost", Ending.DETACH);
    }

    /**
     * The SFU {@code deadNode} died and the meeting is on {@code newNode} now (ADR 0019): a fresh
     * session there, same participant, seat and lease, nobody told but the client ({@code migrate})
     * and, for the tracks the dead node carried, the others ({@code track-unpublished}; the client
     * publishes them again). From a failover thread, which may wait for {@code lifecycle}.
     */
    void migrate(String deadNode, String newNode) {
        migrate(deadNode, newNode, false);
    }

    /**
     * As {@link #migrate(String, String)}; with {@code oldNodeLive} (a draining node, ADR 0020) the
     * session left on {@code oldNode} is closed once {@code migrate} is out, so the node empties and
     * can stop. Either way the old session's callbacks no longer reach this connection.
     *
     * @return true if the participant was moved
     */
    @Override
    public boolean migrate(String oldNode, String newNode, boolean oldNodeLive) {
        ParticipantSession old;
        lifecycle.lock();
        try {
            JoinClaims c = claims;
            if (state != State.JOINED || c == null || !oldNode.equals(c.sfuNodeId())) {
                return false;
            }
            UUID meeting = meetingId();
            String me = participantId();
            // Events of the new session (its subscriber offers) wait until migrate is out.
            Binding previous = binding;
            Binding next = new Binding();
            String previousOffer;
            synchronized (outboxLock) {
                previousOffer = outstandingOffer;
                joinedSent = false;
                heldBack = new ArrayList<>();
                // Bound before the join (the new session may call back while join() is still
                // returning), and under the outbox lock, so the old session's messages stop here.
                binding = next;
                // An answer to the old session's offer, still on its way, now answers nothing.
                outstandingOffer = null;
            }
            ParticipantSession fresh;
            try {
                fresh = hub.sfus().node(newNode).join(meeting.toString(), me, next);
            } catch (RuntimeException e) {
                log.warn("event=migrate_failed meeting_id={} participant_id={} dead={} sfu_node_id={} old_node_live={} error=\"{}\"",
                        meeting, me, oldNode, newNode, oldNodeLive, e.getMessage());
                if (oldNodeLive) {
                    // A draining node still carries the participant's media: it stays on its old
                    // session, socket open, and the evacuation's next round tries again (ADR 0032).
                    // Closing the socket here sent the client back onto a node about to stop.
                    keepOldBinding(previous, previousOffer);
                    return false;
                }
                binding = previous;
                end(CLOSE_RESUME, "reconnect and resume", "migrate_failed", Ending.DETACH);
                return false;
            }
            old = session;
            session = fresh;
            claims = new JoinClaims(c.meetingId(), c.participantId(), c.userId(), c.displayName(), newNode, c.expiresAt(),
                    c.hostGrant());
            // A node that is alive but unusable (its media black-holed, ADR 0030) would keep the
            // old session, held, for as long as this connection lives; a dead one does not answer.
            if (old != null && !oldNodeLive) {
                ParticipantSession left = old;
                Thread.ofVirtual().start(() -> quietly("close_old_session", left::close));
            }
            List<OwnTrack> gone = ownTracks;
            ownTracks = List.of();
            for (OwnTrack t : gone) {
                quietly("publish_unpublished", () -> publish(new MeetingEvent.TrackUnpublished(me, t.trackId())));
            }
            sendSnapshot(new ServerMessage.Migrate(hub.resumption().token(claims, fresh)), List.of());
            log.info("event=participant_migrated meeting_id={} participant_id={} connection_id={} dead={} sfu_node_id={} tracks_dropped={} from_live={}",
                    meeting, me, connectionId, oldNode, newNode, gone.size(), oldNodeLive);
        } finally {
            lifecycle.unlock();
        }
        if (oldNodeLive && old != null) {
            // Outside the lock: a slow control round trip to the draining node holds up no frame.
            quietly("sfu_close_drained", old::close);
        }
        return true;
    }

    /**
     * Undoes a migrate's rebinding after its join failed: the old session's binding and offer are
     * back, and what was held back meanwhile goes out, less what the failed new session may have
     * said (offers, speakers, layers), which no longer concerns this client.
     */
    private void keepOldBinding(Binding previous, String previousOffer) {
        synchronized (outboxLock) {
            binding = previous;
            outstandingOffer = previousOffer;
            List<ServerMessage> held = heldBack;
            heldBack = null;
            joinedSent = true;
            for (ServerMessage m : held) {
                if (!(m instanceof ServerMessage.Offer || m instanceof ServerMessage.ActiveSpeakers
                        || m instanceof ServerMessage.Layers)) {
                    sendFiltered(m);
                }
            }
        }
    }

    private static ChatView chatView(ChatMessage m) {
        return new ChatView(m.id(), m.participantId(), m.displayName(), m.text(), m.sentAt().toString());
    }

    // ---------------------------------------------------------------- the end

    /** Ends the connection from a thread that must not wait (timer, SFU callback): cleanup runs on a virtual thread. */
    void terminate(int closeCode, String closeReason, String why) {
        end(closeCode, closeReason, why, Ending.LEAVE);
    }

    /** As {@link #terminate}, with the participant's fate named. */
    void end(int closeCode, String closeReason, String why, Ending ending) {
        if (terminating.compareAndSet(false, true)) {
            Thread.ofVirtual().name("convene-ws-end-" + connectionId)
                    .start(() -> cleanup(closeCode, closeReason, why, ending != Ending.HANDED_OVER, ending));
        }
    }

    /** A resume on another socket of this node takes the participant's place: this one lets go of the session. */
    void handOverForResume() {
        cleanup(SignalingSockets.CLOSE_REPLACED, "resumed elsewhere", "resumed_here", false, Ending.DETACH);
    }

    /** Close code asking the client to reconnect and resume (RFC 6455 "service restart"). */
    static final int CLOSE_RESUME = 1012;

    /**
     * This node stops: a joined participant is detached (it resumes on another node, nobody is
     * told) and its socket closed with 1012; any other socket ends as a leave with 1001.
     *
     * @return true if the participant was detached for a resume
     */
    boolean shutdownForRestart() {
        boolean resumable = isJoined() && hub.resumption().enabled();
        if (!resumable) {
            cleanup(1001, "server shutting down", "shutdown", true, Ending.LEAVE);
            return false;
        }
        return cleanup(CLOSE_RESUME, "server restarting: resume on another node", "shutdown_restart", true, Ending.DETACH);
    }

    /**
     * The socket is gone (client closed it, network dropped) without {@code leave}: the participant
     * may resume within the grace period.
     */
    void onSocketClosed(int statusCode) {
        cleanup(1000, "closed", statusCode == 1000 || statusCode == 1001 ? "client_closed" : "socket_lost", true,
                Ending.DETACH);
    }

    /** Silent for the heartbeat timeout: the client may still come back on a new socket. */
    void onHeartbeatTimeout() {
        end(SignalingSockets.CLOSE_HEARTBEAT_TIMEOUT, "heartbeat timeout", "heartbeat_timeout", Ending.DETACH);
    }

    /**
     * Everything a participant leaves behind, exactly once, whichever way it goes: SFU session,
     * event subscription, seat (unless another socket of the participant took it over), presence,
     * and the others' view of it.
     *
     * @return true if this call did the cleanup
     */
    boolean cleanup(int closeCode, String closeReason, String why, boolean releaseSeat) {
        return cleanup(closeCode, closeReason, why, releaseSeat, Ending.LEAVE);
    }

    private boolean cleanup(int closeCode, String closeReason, String why, boolean releaseSeat, Ending requested) {
        State before;
        Ending ending = requested;
        lifecycle.lock();
        try {
            if (state == State.CLOSED) {
                return false;
            }
            before = state;
            state = State.CLOSED;
            UUID meeting = meetingId();
            String me = participantId();
            if (ending == Ending.DETACH && (before != State.JOINED || !hub.resumption().enabled())) {
                ending = Ending.LEAVE;
            }
            if (subscription != null) {
                quietly("unsubscribe", subscription::close);
            }
            if (hostControls != null) {
                quietly("host_controls", hostControls::close);
            }
            hub.unregister(this);
            switch (ending) {
                case HANDED_OVER -> { }
                case DETACH -> {
                    ParticipantSession s = session;
                    quietly("sfu_detach", () -> hub.resumption().detach(meeting, me, s));
                    quietly("presence_grace", () -> hub.resumption().keepPresent(meeting, me));
                }
                case LEAVE -> {
                    if (session != null) {
                        quietly("sfu_close", session::close);
                    }
                    if (releaseSeat && me != null) {
                        quietly("release_seat", () -> hub.stores().seats().release(meeting, me));
                    }
                    if (before == State.JOINED) {
                        Instant at = hub.clock().instant();
                        // A sweeper that claimed the lease (after a store outage) has told the others already.
                        boolean mine = hub.resumption().releaseLease(meeting, me);
                        quietly("presence_remove", () -> hub.stores().presence().remove(meeting, me));
                        quietly("mark_left", () -> hub.stores().participants().markLeft(meeting, me, at));
                        if (mine) {
                            quietly("publish_left", () -> publish(new MeetingEvent.ParticipantLeft(me)));
                        }
                    }
                }
            }
        } finally {
            lifecycle.unlock();
        }
        outbox.close(closeCode, closeReason);
        hub.metrics().socketClosed(why);
        log.info("event={} meeting_id={} participant_id={} connection_id={} reason={} joined={} seat_released={}",
                ending == Ending.LEAVE ? "participant_left" : ending == Ending.DETACH ? "participant_detached" : "socket_handed_over",
                meetingId(), participantId(), connectionId, why, before == State.JOINED, releaseSeat && ending == Ending.LEAVE);
        return true;
    }

    /**
     * Keeps this participant present for a while past the heartbeat timeout. If presence is
     * unreachable the participant simply stays as it was; media and the socket go on.
     */
    private void touchPresence() {
        try {
            hub.stores().presence().touch(meetingId(), participantId(),
                    hub.resumption().presenceTtl(hub.config().heartbeatTimeout().plus(PRESENCE_SLACK)));
        } catch (StoreUnavailableException e) {
            log.debug("event=presence_touch_skipped participant_id={} reason=\"{}\"", participantId(), e.getMessage());
        }
    }

    private void quietly(String step, Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            log.warn("event=cleanup_step_failed step={} meeting_id={} participant_id={} error={}",
                    step, meetingId(), participantId(), e.toString());
        }
    }
}
