package dev.convene.signaling.ws;

import dev.convene.signaling.Ids;
import dev.convene.signaling.SignalingConfig;
import dev.convene.signaling.SignalingMetrics;
import dev.convene.signaling.SignalingStores;
import dev.convene.signaling.auth.InvalidTokenException;
import dev.convene.signaling.auth.JoinClaims;
import dev.convene.signaling.auth.TokenService;
import dev.convene.signaling.placement.MeetingEvacuation;
import dev.convene.signaling.placement.SfuDirectory;
import dev.convene.signaling.protocol.ProtocolCodec;
import dev.convene.store.Meeting;
import dev.convene.store.StoreUnavailableException;
import io.javalin.websocket.WsCloseContext;
import io.javalin.websocket.WsConfig;
import io.javalin.websocket.WsConnectContext;
import io.javalin.websocket.WsContext;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code /v1/signal} endpoint of one signaling node: authenticates sockets, keeps the
 * node's connections (by socket and by participant), and closes silent ones.
 */
public final class SignalingSockets {

    private static final Logger log = LoggerFactory.getLogger(SignalingSockets.class);

    public static final int CLOSE_UNAUTHORIZED = 4401;
    public static final int CLOSE_HEARTBEAT_TIMEOUT = 4408;
    public static final int CLOSE_REPLACED = 4409;
    /** A host removed the participant (ADR 0016). */
    public static final int CLOSE_REMOVED = 4403;
    /** A host denied the participant waiting in the waiting room. */
    public static final int CLOSE_DENIED = 4406;
    /** A host ended the meeting for everyone. */
    public static final int CLOSE_MEETING_ENDED = 4410;

    private record ParticipantKey(UUID meetingId, String participantId) {}

    private final SignalingConfig config;
    private final SignalingStores stores;
    private final SfuDirectory sfus;
    private final Clock clock;
    private final TokenService tokens;
    private final ProtocolCodec codec;
    private final SignalingMetrics metrics;
    private final ConcurrentMap<String, SignalConnection> bySocket = new ConcurrentHashMap<>();
    private final ConcurrentMap<ParticipantKey, SignalConnection> byParticipant = new ConcurrentHashMap<>();
    private final Resumption resumption;
    /** Moves meetings off draining SFU nodes (ADR 0020); a node with one SFU has nowhere to move them. */
    private volatile MeetingEvacuation evacuation = MeetingEvacuation.NONE;
    /** Set once the node is stopping: new sockets are told to go elsewhere. */
    private volatile boolean closing;
    private final SfuFailover failover;

    public SignalingSockets(SignalingConfig config, SignalingStores stores, SfuDirectory sfus, Clock clock, TokenService tokens,
            ProtocolCodec codec, SignalingMetrics metrics) {
        this.resumption = new Resumption(config.resumeGrace(), config.accessTokenTtl(), stores, sfus, tokens, clock);
        this.config = config;
        this.stores = stores;
        this.sfus = sfus;
        this.clock = clock;
        this.tokens = tokens;
        this.codec = codec;
        this.metrics = metrics;
        this.failover = new SfuFailover(sfus, bySocket::values);
    }

    /** Registers the socket's handlers on a Javalin WebSocket route. */
    public void configure(WsConfig ws) {
        ws.onConnect(this::onConnect);
        ws.onMessage(ctx -> {
            SignalConnection c = bySocket.get(ctx.sessionId());
            if (c != null) {
                c.onText(ctx.message());
            }
        });
        ws.onBinaryMessage(ctx -> {
            SignalConnection c = bySocket.get(ctx.sessionId());
            if (c != null) {
                c.onBinary();
            }
        });
        ws.onClose(this::onClose);
        ws.onError(ctx -> log.debug("event=ws_error socket_id={} error={}", ctx.sessionId(), String.valueOf(ctx.error())));
    }

    private void onConnect(WsConnectContext ctx) {
        if (closing) {
            // A client resuming from this node's own shutdown must not land here again.
            ctx.closeSession(SignalConnection.CLOSE_RESUME, "server restarting");
            return;
        }
        if (ctx.queryParam("token") == null) {
            // A socket that means to resume: its first frame carries the resume token (kept out of URLs and logs).
            String id = Ids.connection();
            SignalConnection connection = new SignalConnection(this, new Outbox(ctx.session, id), id, ctx.sessionId(), null);
            bySocket.put(ctx.sessionId(), connection);
            metrics.socketOpened();
            log.info("event=socket_opened connection_id={} for=resume", id);
            return;
        }
        JoinClaims claims;
        try {
            claims = tokens.verifyJoin(ctx.queryParam("token"));
        } catch (InvalidTokenException e) {
            reject(ctx, e.getMessage());
            return;
        }
        // The seat is this socket's if it is still waiting for it (on any node's ledger), or if
        // the participant holds it already (a second socket of the same participant).
        boolean seated;
        try {
            seated = stores.seats().claim(claims.meetingId(), claims.participantId());
        } catch (StoreUnavailableException e) {
            log.warn("event=seat_claim_failed meeting_id={} participant_id={} error=\"{}\"", claims.meetingId(),
                    claims.participantId(), e.getMessage());
            ctx.closeSession(1013, "try again later");
            return;
        }
        if (!seated) {
            reject(ctx, "seat no longer held");
            return;
        }
        String id = Ids.connection();
        SignalConnection connection = new SignalConnection(this, new Outbox(ctx.session, id), id, ctx.sessionId(), claims);
        bySocket.put(ctx.sessionId(), connection);
        metrics.socketOpened();
        SignalConnection previous = byParticipant.put(new ParticipantKey(claims.meetingId(), claims.participantId()), connection);
        log.info("event=socket_opened meeting_id={} participant_id={} connection_id={} replaces={}",
                claims.meetingId(), claims.participantId(), id, previous == null ? "-" : previous.connectionId());
        if (previous != null) {
            // Synchronously, so the old socket has left before the new one can join.
            previous.cleanup(CLOSE_REPLACED, "connected elsewhere", "replaced", false);
        }
    }

    private void reject(WsContext ctx, String why) {
        log.info("event=socket_rejected reason=\"{}\"", why);
        metrics.wsError("unauthorized");
        ctx.closeSession(CLOSE_UNAUTHORIZED, "unauthorized");
    }

    private void onClose(WsCloseContext ctx) {
        SignalConnection c = bySocket.remove(ctx.sessionId());
        if (c != null) {
            c.onSocketClosed(ctx.status());
        }
    }

    /** Closes every socket silent for longer than the heartbeat timeout (4408). Called by the node's timer. */
    public void closeSilent() {
        long now = clock.millis();
        long limit = config.heartbeatTimeout().toMillis();
        for (SignalConnection c : bySocket.values()) {
            if (c.isAnonymous() && now - c.openedAtMillis() > limit) {
                // Opened to resume and never did: it holds nothing, and may not hold a socket forever.
                c.terminate(CLOSE_UNAUTHORIZED, "no resume", "no_resume");
            } else if (c.silentMillis(now) > limit) {
                c.onHeartbeatTimeout();
            }
        }
    }

    /**
     * Refreshes the resume lease of every participant connected here; one whose lease was claimed
     * meanwhile (it could not be refreshed in time) has left, and its socket is closed. Called by
     * the node's timer every {@link #resumeRefreshInterval()}.
     */
    public void refreshResumeLeases() {
        for (SignalConnection c : bySocket.values()) {
            if (c.isJoined() && !resumption.refreshLease(c.meetingId(), c.participantId())) {
                log.warn("event=resume_lease_lost meeting_id={} participant_id={} connection_id={}", c.meetingId(),
                        c.participantId(), c.connectionId());
                c.terminate(CLOSE_HEARTBEAT_TIMEOUT, "left the meeting", "lease_lost");
            }
        }
    }

    public Duration resumeRefreshInterval() {
        return resumption.refreshInterval();
    }

    /** Ends the participants whose resume grace ran out, whichever node held them. Called by the node's timer. */
    public int sweepExpiredResumes() {
        return resumption.sweep();
    }

    /** Before a resume attaches: an older socket of the participant on this node detaches its session, now. */
    void releaseLocal(UUID meeting, String participant, SignalConnection resuming) {
        SignalConnection previous = byParticipant.get(new ParticipantKey(meeting, participant));
        if (previous != null && previous != resuming) {
            previous.handOverForResume();
        }
    }

    /** A socket that resumed: it is now the participant's socket on this node. */
    void adopt(SignalConnection c) {
        SignalConnection previous = byParticipant.put(new ParticipantKey(c.meetingId(), c.participantId()), c);
        if (previous != null && previous != c) {
            // Normally told by the SFU (session moved); a socket that never joined has no session to be told through.
            previous.end(CLOSE_REPLACED, "resumed elsewhere", "resumed_elsewhere", SignalConnection.Ending.HANDED_OVER);
        }
    }

    Resumption resumption() {
        return resumption;
    }

    SfuFailover failover() {
        return failover;
    }

    /** Ends every connection (1001), releasing seats and telling the others, e.g. on shutdown. */
    public void closeAll() {
        closing = true;
        failover.close();
        List<SignalConnection> all = new ArrayList<>(bySocket.values());
        for (SignalConnection c : all) {
            c.cleanup(1001, "server shutting down", "shutdown", true);
        }
    }

    /**
     * Stops this node without ending anyone's meeting (a rolling restart): refuses new sockets,
     * then detaches every joined participant — its SFU session and seat stay under the resume
     * lease — and closes its socket with {@link SignalConnection#CLOSE_RESUME} (1012), which clients
     * answer by resuming on another node at once. Sockets that had not joined end as before.
     *
     * @return participants handed over
     */
    public int detachAll() {
        closing = true;
        int handedOver = 0;
        for (SignalConnection c : new ArrayList<>(bySocket.values())) {
            if (c.shutdownForRestart()) {
                handedOver++;
            }
        }
        log.info("event=sockets_handed_over participants={}", handedOver);
        return handedOver;
    }

    /**
     * Asks the evacuation to move every meeting this node holds joined sockets of on a draining
     * SFU. Called by the node's timer about every second, more often than the lease renewal, since
     * the time from a SIGTERM to the first {@code migrate} is mostly this wait: the registry is
     * read once per SFU node per call, not per meeting.
     *
     * @return meetings asked about
     */
    public int evacuateDrainingNodes() {
        Map<String, Boolean> draining = new HashMap<>();
        Set<UUID> asked = new HashSet<>();
        for (SignalConnection c : bySocket.values()) {
            if (!c.isJoined()) {
                continue;
            }
            String node = c.sfuNodeId();
            UUID meeting = c.meetingId();
            if (!draining.computeIfAbsent(node, sfus::isDraining) || !asked.add(meeting)) {
                continue;
            }
            try {
                evacuation.evacuate(meeting, node);
            } catch (RuntimeException e) {
                log.warn("event=evacuation_failed meeting_id={} sfu_node_id={} error={}", meeting, node, e.toString());
            }
        }
        return asked.size();
    }

    /** What moves this node's meetings off a draining SFU (the failover work plugs in here). */
    public void evacuateWith(MeetingEvacuation e) {
        this.evacuation = java.util.Objects.requireNonNull(e, "evacuation");
    }

    /**
     * Moves meetings off a draining SFU by migrating this node's participants (make-before-break),
     * for {@link #evacuateWith}; only where there is another SFU to move to.
     */
    public MeetingEvacuation migratingEvacuation() {
        return new MigratingEvacuation(sfus, bySocket::values);
    }

    public int openSockets() {
        return bySocket.size();
    }

    /**
     * Reserves again the seat of every participant connected here, and keeps their meetings placed
     * on their SFU. For a held seat that renews
     * its lease (a leasing ledger frees the seats of a node that stopped doing this, e.g. one that
     * crashed); for a seat the ledger lost (a Redis restart without persistence) it takes the seat
     * back before newcomers can fill the meeting. Called by the node's timer; a ledger that is
     * unreachable is skipped until the next call.
     *
     * @return seats reserved again
     */
    public int renewLeases() {
        Map<UUID, Integer> capacities = new HashMap<>();
        int renewed = 0;
        try {
            for (SignalConnection c : bySocket.values()) {
                if (!c.isJoined() && !c.isWaiting()) {
                    continue;
                }
                UUID meeting = c.meetingId();
                if (!capacities.containsKey(meeting)) {
                    sfus.keepPlacement(meeting, c.sfuNodeId());
                }
                Integer capacity = capacities.computeIfAbsent(meeting,
                        id -> stores.meetings().find(id).map(Meeting::capacity).orElse(null));
                if (capacity == null) {
                    continue;
                }
                if (stores.seats().reserve(meeting, c.participantId(), capacity)) {
                    renewed++;
                } else {
                    log.warn("event=seat_renew_refused meeting_id={} participant_id={} reason=meeting_full", meeting,
                            c.participantId());
                }
            }
        } catch (StoreUnavailableException e) {
            log.debug("event=seat_renew_skipped reason=\"{}\"", e.getMessage());
        }
        return renewed;
    }


    void unregister(SignalConnection c) {
        byParticipant.remove(new ParticipantKey(c.meetingId(), c.participantId()), c);
        bySocket.remove(c.socketId(), c);
    }

    SignalingConfig config() {
        return config;
    }

    SignalingStores stores() {
        return stores;
    }

    SfuDirectory sfus() {
        return sfus;
    }

    Clock clock() {
        return clock;
    }

    TokenService tokens() {
        return tokens;
    }

    ProtocolCodec codec() {
        return codec;
    }

    SignalingMetrics metrics() {
        return metrics;
    }
}
