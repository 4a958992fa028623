package dev.convene.signaling.ws;

import dev.convene.sfu.ParticipantListener;
import dev.convene.sfu.ParticipantSession;
import dev.convene.sfu.SessionGoneException;
import dev.convene.signaling.SignalingStores;
import dev.convene.signaling.auth.InvalidTokenException;
import dev.convene.signaling.auth.JoinClaims;
import dev.convene.signaling.auth.ResumeClaims;
import dev.convene.signaling.auth.TokenService;
import dev.convene.signaling.placement.SfuDirectory;
import dev.convene.signaling.protocol.ClientMessage;
import dev.convene.signaling.protocol.ErrorCode;
import dev.convene.signaling.protocol.ProtocolException;
import dev.convene.store.MeetingEvent;
import dev.convene.store.ResumeLeases;
import dev.convene.store.StoreUnavailableException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sessions that outlive sockets (ADR 0017): the resume lease of every joined participant, the
 * resume itself, and the sweeper that ends the participants whose grace ran out.
 *
 * <p>The lease is the one authority on whether a participant is still in its meeting after its
 * socket went: the node holding the socket refreshes it every {@link #refreshInterval()}, a
 * socket that goes (or a node that dies) stops refreshing it, a resume takes it over, and a
 * sweeper on any node claims it when it has run out. Claim and take-over are atomic against each
 * other in the store, so exactly one of them wins, and only the winner of a claim tells the
 * others the participant left. The SFU keeps the media session a little longer than the grace
 * ({@link #SFU_MARGIN}), so the lease, not the SFU, decides.
 */
final class Resumption {

    private static final Logger log = LoggerFactory.getLogger(Resumption.class);

    /** The SFU's lease on a detached session outlasts the grace by this, so signaling decides first. */
    static final Duration SFU_MARGIN = Duration.ofSeconds(5);
    /** Leases claimed per sweep; the next tick takes the rest. */
    static final int SWEEP_BATCH = 200;
    private static final Duration MIN_REFRESH = Duration.ofMillis(250);
    private static final Duration MAX_REFRESH = Duration.ofSeconds(5);

    /**
     * What a successful resume hands the socket.
     *
     * @param migratedFrom the SFU the token named, when the session could not be found there (the
     *     meeting had moved, ADR 0030, or the session had ended while the socket was away, ADR 0032):
     *     the session is a fresh one, possibly on that same node, and the client must be told
     *     {@code migrate}; else null
     */
    record Resumed(JoinClaims claims, ParticipantSession session, String migratedFrom) {}

    private final Duration grace;
    private final Duration tokenTtl;
    private final SignalingStores stores;
    private final SfuDirectory sfus;
    private final TokenService tokens;
    private final Clock clock;
    private final ResumeLeases leases;

    Resumption(Duration grace, Duration tokenTtl, SignalingStores stores, SfuDirectory sfus, TokenService tokens, Clock clock) {
        this.grace = grace;
        this.tokenTtl = tokenTtl;
        this.stores = stores;
        this.sfus = sfus;
        this.tokens = tokens;
        this.clock = clock;
        this.leases = stores.resumeLeases();
    }

    boolean enabled() {
        return !grace.isZero();
    }

    Duration grace() {
        return grace;
    }

    /** How often the node holding a socket refreshes its lease: a quarter of the grace, within [250 ms, 5 s]. */
    Duration refreshInterval() {
        Duration d = grace.dividedBy(4);
        return d.compareTo(MIN_REFRESH) < 0 ? MIN_REFRESH : d.compareTo(MAX_REFRESH) > 0 ? MAX_REFRESH : d;
    }

    /** A lease refreshed now lasts the grace past the next refresh: a node that dies is noticed within grace + interval. */
    private Duration refreshTtl() {
        return grace.plus(refreshInterval());
    }

    void holdLease(UUID meeting, String participant) {
        if (!enabled()) {
            return;
        }
        try {
            leases.hold(meeting, participant, refreshTtl());
        } catch (StoreUnavailableException e) {
            log.warn("event=resume_lease_hold_failed meeting_id={} participant_id={} error=\"{}\"", meeting, participant,
                    e.getMessage());
        }
    }

    /**
     * Refreshes the lease of a participant whose socket is here.
     *
     * @return false if the participant's lease ran out and was claimed: it has left, its socket must go
     */
    boolean refreshLease(UUID meeting, String participant) {
        if (!enabled()) {
            return true;
        }
        try {
            if (leases.takeOver(meeting, participant, refreshTtl())) {
                return true;
            }
            // Gone: a sweeper ended it (and marked the participant left), or the store lost its data
            // (Redis restarted empty). Only the first is a leave; in the second the participant is
            // still present in the meetings database, and its lease is simply held again.
            boolean present = stores.participants().find(meeting, participant)
                    .filter(dev.convene.store.Participant::present).isPresent();
            if (present) {
                leases.hold(meeting, participant, refreshTtl());
                log.info("event=resume_lease_restored meeting_id={} participant_id={}", meeting, participant);
            }
            return present;
        } catch (StoreUnavailableException e) {
            // Unreachable is not expired: nobody can claim it either until the store is back.
            return true;
        }
    }

    /**
     * Ends the lease on purpose (a leave).
     *
     * @return true if the caller should tell the others: it ended the lease, or cannot tell (store down)
     */
    boolean releaseLease(UUID meeting, String participant) {
        if (!enabled() || participant == null) {
            return true;
        }
        try {
            return leases.release(meeting, participant);
        } catch (StoreUnavailableException e) {
            return true;
        }
    }

    /** The socket is gone: the session waits on the SFU, the lease runs its grace from now. */
    void detach(UUID meeting, String participant, ParticipantSession session) {
        if (session != null) {
            session.detach(grace.plus(SFU_MARGIN));
        }
        leases.hold(meeting, participant, grace);
    }

    /** Keeps a detached participant listed for newcomers while it may come back. */
    void keepPresent(UUID meeting, String participant) {
        stores.presence().touch(meeting, participant, grace.plus(SFU_MARGIN));
    }

    /** The presence time to live for a heartbeat of a joined socket: long enough to cover a grace after it. */
    Duration presenceTtl(Duration heartbeatTtl) {
        return heartbeatTtl.plus(grace);
    }

    String token(JoinClaims claims, ParticipantSession session) {
        String sessionId = session.sessionId() == null ? "-" : session.sessionId();
        return tokens.issueResume(new ResumeClaims(claims.meetingId(), claims.participantId(), claims.userId(),
                claims.displayName(), claims.sfuNodeId(), sessionId), tokenTtl).token();
    }

    /**
     * Takes the participant's place for {@code listener}. Nothing changes if it is refused.
     *
     * @param socketClaims the join token's claims if the socket was opened with one, else null
     * @param beforeAttach called once the participant is ours, before the attach: hands over an old local socket
     * @throws ProtocolException {@code invalid_resume_token} or {@code resume_expired}
     */
    /** Why the participant may not come back, or null if it may. */
    private ErrorCode barred(ResumeClaims claims) {
        java.util.Optional<dev.convene.store.Meeting> m = stores.meetings().find(claims.meetingId());
        if (m.isEmpty() || m.get().status() != dev.convene.store.MeetingStatus.ACTIVE) {
            return ErrorCode.MEETING_ENDED;
        }
        return stores.meetings().isRemoved(claims.meetingId(), claims.userId()) ? ErrorCode.REMOVED_FROM_MEETING : null;
    }

    Resumed resume(ClientMessage.Resume request, JoinClaims socketClaims, ParticipantListener listener, String connectionId,
            java.util.function.BiConsumer<UUID, String> beforeAttach) throws ProtocolException {
        ResumeClaims claims;
        try {
            claims = tokens.verifyResume(request.token());
        } catch (InvalidTokenException e) {
            log.info("event=resume_refused connection_id={} reason={}", connectionId, e.reason().wire());
            throw new ProtocolException(ErrorCode.INVALID_RESUME_TOKEN,
                    "The resume token was refused: " + e.getMessage(), request.requestId());
        }
        if (socketClaims != null && (!socketClaims.meetingId().equals(claims.meetingId())
                || !socketClaims.participantId().equals(claims.participantId()))) {
            log.info("event=resume_refused connection_id={} reason=other_participant meeting_id={}", connectionId,
                    claims.meetingId());
            throw new ProtocolException(ErrorCode.INVALID_RESUME_TOKEN,
                    "The resume token is for another meeting or participant than this socket's join token",
                    request.requestId());
        }
        UUID meeting = claims.meetingId();
        String me = claims.participantId();
        if (!enabled() || !leases.takeOver(meeting, me, refreshTtl())) {
            log.info("event=resume_refused connection_id={} reason=expired meeting_id={} participant_id={}", connectionId,
                    meeting, me);
            throw new ProtocolException(ErrorCode.RESUME_EXPIRED,
                    "Too late to resume: the participant has left the meeting; join again", request.requestId());
        }
        // From here the participant is ours: whatever fails, we end it, and tell the others once.
        ErrorCode barred = barred(claims);
        if (barred != null) {
            // Removed by a host or ended while its socket was away: it does not come back (ADR 0016).
            leases.release(meeting, me);
            try {
                sfus.node(claims.sfuNodeId()).attach(claims.sessionId(), me, listener).close();
            } catch (RuntimeException e) { // SessionGoneException included: it is gone already
                log.debug("event=barred_session_already_gone participant_id={} error={}", me, e.toString());
            }
            announceLeft(meeting, me, "resume_" + barred.wire());
            log.info("event=resume_refused connection_id={} reason={} meeting_id={} participant_id={}", connectionId,
                    barred.wire(), meeting, me);
            throw new ProtocolException(barred, barred == ErrorCode.MEETING_ENDED ? "The meeting has ended"
                    : "A host removed you from this meeting", request.requestId());
        }
        ParticipantSession session;
        try {
            if (!stores.seats().claim(meeting, me)) {
                throw new SessionGoneException("the seat lapsed");
            }
            // A socket of the participant still open here (its loss not noticed yet) lets go first:
            // its control connection may be the one the attach goes over.
            beforeAttach.accept(meeting, me);
            try {
                session = sfus.node(claims.sfuNodeId()).attach(claims.sessionId(), me, listener);
            } catch (RuntimeException e) {
                // Its SFU died (or was fenced) while the socket was away: the meeting lives elsewhere now.
                java.util.Optional<String> moved = movedFrom(meeting, claims.sfuNodeId(), e);
                if (moved.isEmpty() && e instanceof SessionGoneException) {
                    return rebuilt(claims, listener, connectionId, e, request);
                }
                if (moved.isEmpty()) {
                    throw e;
                }
                session = sfus.node(moved.get()).join(meeting.toString(), me, listener);
                log.info("event=resume_migrated connection_id={} meeting_id={} participant_id={} dead={} sfu_node_id={} error=\"{}\"",
                        connectionId, meeting, me, claims.sfuNodeId(), moved.get(), e.getMessage());
                ResumeClaims now = new ResumeClaims(claims.meetingId(), claims.participantId(), claims.userId(),
                        claims.displayName(), moved.get(), session.sessionId());
                return new Resumed(now.asJoinClaims(clock.instant().plus(tokenTtl)), session, claims.sfuNodeId());
            }
        } catch (SessionGoneException e) {
            leases.release(meeting, me);
            announceLeft(meeting, me, "resume_failed");
            log.info("event=resume_refused connection_id={} reason=session_gone meeting_id={} participant_id={} error=\"{}\"",
                    connectionId, meeting, me, e.getMessage());
            throw new ProtocolException(ErrorCode.RESUME_EXPIRED,
                    "Too late to resume: the participant has left the meeting; join again", request.requestId());
        }
        return new Resumed(claims.asJoinClaims(clock.instant().plus(tokenTtl)), session, null);
    }

    /**
     * The participant's media session ended on its SFU while the socket was away (a transport of
     * it failed while detached, or its node let go of it), but the lease was ours to take and the
     * seat is held: the participant is still in the meeting, and only its media must be built
     * again, as after a failover (ADR 0032). A fresh session on the meeting's node; if none can be
     * had now, {@code sfu_unavailable} and nothing ends: the client resumes again within the grace.
     */
    private Resumed rebuilt(ResumeClaims claims, ParticipantListener listener, String connectionId, RuntimeException gone,
            ClientMessage.Resume request) throws ProtocolException {
        UUID meeting = claims.meetingId();
        String me = claims.participantId();
        String node;
        ParticipantSession session;
        try {
            node = sfus.place(meeting, java.util.Optional.empty()).nodeId();
            session = sfus.node(node).join(meeting.toString(), me, listener);
        } catch (RuntimeException e) {
            log.warn("event=resume_rebuild_failed connection_id={} meeting_id={} participant_id={} old_sfu={} error=\"{}\"",
                    connectionId, meeting, me, claims.sfuNodeId(), e.toString());
            throw new ProtocolException(ErrorCode.SFU_UNAVAILABLE,
                    "The media server did not answer; resume again", request.requestId());
        }
        log.info("event=resume_media_rebuilt connection_id={} meeting_id={} participant_id={} old_sfu={} old_session={} "
                + "sfu_node_id={} reason=\"{}\"", connectionId, meeting, me, claims.sfuNodeId(), claims.sessionId(), node,
                gone.getMessage());
        ResumeClaims now = new ResumeClaims(meeting, me, claims.userId(), claims.displayName(), node,
                session.sessionId() == null ? "-" : session.sessionId());
        return new Resumed(now.asJoinClaims(clock.instant().plus(tokenTtl)), session, claims.sfuNodeId());
    }

    /**
     * Where the meeting went if the participant's session cannot be reached on {@code node}
     * because the meeting left it: its placement names another node already (a failover moved
     * it, and the old node may have fenced the session), or the node is gone (refused, unheard
     * for "dead after") and the meeting is moved now as the failover would. Empty when the
     * node is merely slow: then the resume fails as before and the client retries.
     */
    private java.util.Optional<String> movedFrom(UUID meeting, String node, RuntimeException failure) {
        java.util.Optional<String> placed = sfus.placedOn(meeting);
        if (placed.isPresent() && !placed.get().equals(node)) {
            return placed;
        }
        if (failure instanceof SessionGoneException) {
            return java.util.Optional.empty();
        }
        if (sfus.refusing(node) || !sfus.heardFromWithin(node, SfuFailover.REGISTRY_SILENCE)) {
            sfus.markDead(node);
            return sfus.moveFrom(meeting, node);
        }
        return java.util.Optional.empty();
    }

    /**
     * Ends the participants whose grace ran out, on this node whichever node held them: each
     * claimed lease frees its seat and is announced once. Called by the node's timer.
     *
     * @return participants ended
     */
    int sweep() {
        if (!enabled()) {
            return 0;
        }
        List<ResumeLeases.Expired> expired;
        try {
            expired = leases.claimExpired(SWEEP_BATCH);
        } catch (StoreUnavailableException e) {
            log.debug("event=resume_sweep_skipped reason=\"{}\"", e.getMessage());
            return 0;
        }
        for (ResumeLeases.Expired e : expired) {
            log.info("event=resume_grace_ended meeting_id={} participant_id={} grace_ms={}", e.meetingId(),
                    e.participantId(), grace.toMillis());
            announceLeft(e.meetingId(), e.participantId(), "grace_ended");
        }
        return expired.size();
    }

    /** Frees the seat and tells the others; each step on its own, so one failing store does not stop the rest. */
    private void announceLeft(UUID meeting, String participant, String why) {
        Instant at = clock.instant();
        quietly(why, meeting, participant, "release_seat", () -> stores.seats().release(meeting, participant));
        quietly(why, meeting, participant, "presence_remove", () -> stores.presence().remove(meeting, participant));
        quietly(why, meeting, participant, "mark_left", () -> stores.participants().markLeft(meeting, participant, at));
        quietly(why, meeting, participant, "publish_left",
                () -> stores.events().publish(meeting, new MeetingEvent.ParticipantLeft(participant)));
    }

    private static void quietly(String why, UUID meeting, String participant, String step, Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            log.warn("event=leave_step_failed why={} step={} meeting_id={} participant_id={} error={}", why, step, meeting,
                    participant, e.toString());
        }
    }
}
