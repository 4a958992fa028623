package dev.convene.signaling.ws;

import dev.convene.sfu.TrackKind;
import dev.convene.signaling.auth.JoinClaims;
import dev.convene.signaling.protocol.ClientMessage;
import dev.convene.signaling.protocol.ErrorCode;
import dev.convene.signaling.protocol.ProtocolException;
import dev.convene.signaling.protocol.ServerMessage;
import dev.convene.store.EventBus;
import dev.convene.store.MediaKind;
import dev.convene.store.Meeting;
import dev.convene.store.MeetingEvent;
import dev.convene.store.MeetingStatus;
import dev.convene.store.StoreUnavailableException;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One socket's side of host moderation (ADR 0016): the waiting room in front of its {@code join},
 * and what it does when a host removes, mutes, admits or denies it, changes the meeting's rules
 * or ends the meeting. Kept apart from {@link SignalConnection}, which calls in at three points:
 * before joining ({@link #mayJoin}), after {@code joined} is out ({@link #onJoined}), and for
 * every {@link MeetingEvent.Moderation} ({@link #onEvent}).
 *
 * <p>Events arrive on the event bus's thread, which must not block; handling them reads the
 * meeting's row and may take the connection's lifecycle lock, so they are queued and handled one
 * at a time, in order, on a virtual thread.
 */
final class HostControls {

    private static final Logger log = LoggerFactory.getLogger(HostControls.class);

    private final SignalConnection connection;
    private final SignalingSockets hub;
    private final JoinClaims claims;

    private final ConcurrentLinkedQueue<MeetingEvent> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean draining = new AtomicBoolean();
    /** Tracks a host muted and the participant has not unmuted since. */
    private final Set<String> hostMuted = ConcurrentHashMap.newKeySet();

    // Guarded by the connection's lifecycle lock.
    private volatile ClientMessage.Join waitingJoin;
    private EventBus.Subscription waitSubscription;
    private boolean admitted;

    HostControls(SignalConnection connection, SignalingSockets hub, JoinClaims claims) {
        this.connection = connection;
        this.hub = hub;
        this.claims = claims;
    }

    boolean isWaiting() {
        return waitingJoin != null;
    }

    // ---------------------------------------------------------------- called under the lifecycle lock

    /**
     * Whether the {@code join} may go ahead now. If not, the socket either waits in the waiting
     * room (and joins once admitted) or is refused and closing.
     */
    boolean mayJoin(ClientMessage.Join request) throws ProtocolException {
        if (waitingJoin != null) {
            throw new ProtocolException(ErrorCode.ALREADY_JOINED, "This socket waits to be admitted already",
                    request.requestId());
        }
        Optional<Meeting> found = hub.stores().meetings().find(claims.meetingId());
        if (found.isEmpty() || found.get().status() != MeetingStatus.ACTIVE) {
            connection.sendError(ErrorCode.MEETING_ENDED, "The meeting has ended", request.requestId());
            connection.terminate(SignalingSockets.CLOSE_MEETING_ENDED, "meeting ended", "meeting_ended");
            return false;
        }
        Meeting meeting = found.get();
        if (isHost(meeting) || admitted) {
            return true;
        }
        // A join token issued before the removal must not get its holder back in.
        if (hub.stores().meetings().isRemoved(meeting.id(), claims.userId())) {
            connection.sendError(ErrorCode.REMOVED_FROM_MEETING, "A host removed you from this meeting", request.requestId());
            connection.terminate(SignalingSockets.CLOSE_REMOVED, "removed by host", "removed");
            return false;
        }
        if (!meeting.rules().waitingRoom()) {
            return true;
        }
        waitingJoin = request;
        waitSubscription = hub.stores().events().subscribe(meeting.id(), (id, event) -> {
            if (event instanceof MeetingEvent.Moderation || event instanceof MeetingEvent.ParticipantJoined) {
                enqueue(event);
            }
        });
        connection.reply(new ServerMessage.Waiting(request.requestId()));
        connection.publish(new MeetingEvent.ParticipantWaiting(claims.participantId(), claims.displayName()));
        log.info("event=participant_waiting meeting_id={} participant_id={} user_id={}", meeting.id(),
                claims.participantId(), claims.userId());
        return false;
    }

    /** {@code joined} is out: the participant learns who hosts and the rules. */
    void onJoined() {
        rulesFrame().ifPresent(connection::deliver);
    }

    /** A client's {@code mute} with {@code muted: false}: refused if a host muted the track and the meeting says so. */
    void checkUnmute(String trackId, String requestId) throws ProtocolException {
        if (!hostMuted.contains(trackId)) {
            return;
        }
        Optional<Meeting> meeting = hub.stores().meetings().find(claims.meetingId());
        if (meeting.isPresent() && !meeting.get().rules().selfUnmute() && !isHost(meeting.get())) {
            throw new ProtocolException(ErrorCode.MUTED_BY_HOST,
                    "A host muted this track and the meeting does not let participants unmute themselves", requestId);
        }
        hostMuted.remove(trackId);
    }

    /** The connection ends: a waiting participant leaves the hosts' list. */
    void close() {
        if (waitSubscription != null) {
            waitSubscription.close();
            waitSubscription = null;
        }
        if (waitingJoin != null) {
            waitingJoin = null;
            connection.publish(new MeetingEvent.WaitingEnded(claims.participantId(), MeetingEvent.WaitingEnded.LEFT));
        }
    }

    // ---------------------------------------------------------------- events

    /** From the event bus: never blocks. */
    void onEvent(MeetingEvent event) {
        enqueue(event);
    }

    private void enqueue(MeetingEvent event) {
        queue.add(event);
        if (draining.compareAndSet(false, true)) {
            Thread.ofVirtual().name("convene-host-controls-" + connection.connectionId()).start(this::drain);
        }
    }

    private void drain() {
        while (true) {
            MeetingEvent event;
            while ((event = queue.poll()) != null) {
                try {
                    handle(event);
                } catch (StoreUnavailableException e) {
                    log.warn("event=moderation_event_skipped meeting_id={} participant_id={} type={} error=\"{}\"",
                            claims.meetingId(), claims.participantId(), event.getClass().getSimpleName(), e.getMessage());
                } catch (RuntimeException e) {
                    log.warn("event=moderation_event_failed meeting_id={} participant_id={} type={} error={}",
                            claims.meetingId(), claims.participantId(), event.getClass().getSimpleName(), e.toString());
                }
            }
            draining.set(false);
            // An event added between the last poll and the reset would otherwise wait for the next one.
            if (queue.isEmpty() || !draining.compareAndSet(false, true)) {
                return;
            }
        }
    }

    private void handle(MeetingEvent event) {
        String me = claims.participantId();
        switch (event) {
            case MeetingEvent.ParticipantJoined e -> {
                // A host who joins after we started waiting hears of us this way.
                if (isWaiting()) {
                    connection.publish(new MeetingEvent.ParticipantWaiting(me, claims.displayName()));
                }
            }
            case MeetingEvent.ParticipantWaiting e -> {
                if (connection.isJoined() && amHost()) {
                    connection.deliver(new ServerMessage.ParticipantWaiting(e.participantId(), e.displayName()));
                }
            }
            case MeetingEvent.WaitingEnded e -> {
                if (e.participantId().equals(me)) {
                    switch (e.outcome()) {
                        case MeetingEvent.WaitingEnded.ADMITTED -> admit();
                        case MeetingEvent.WaitingEnded.DENIED -> deny();
                        default -> { }
                    }
                } else if (connection.isJoined() && amHost()) {
                    connection.deliver(new ServerMessage.WaitingEnded(e.participantId(), e.outcome()));
                }
            }
            case MeetingEvent.ParticipantRemoved e -> {
                if (e.userId().equals(claims.userId())) {
                    log.info("event=removed_by_host meeting_id={} participant_id={}", claims.meetingId(), me);
                    connection.reply(new ServerMessage.Removed("A host removed you from this meeting"));
                    connection.terminate(SignalingSockets.CLOSE_REMOVED, "removed by host", "removed");
                }
            }
            case MeetingEvent.MutedByHost e -> {
                if (e.participantId().equals(me)) {
                    TrackKind kind = e.kind() == MediaKind.AUDIO ? TrackKind.AUDIO : TrackKind.VIDEO;
                    for (String trackId : connection.muteOwnTracks(kind)) {
                        hostMuted.add(trackId);
                        connection.deliver(new ServerMessage.MutedByHost(trackId, kind == TrackKind.AUDIO ? "audio" : "video"));
                    }
                }
            }
            case MeetingEvent.RulesChanged e -> {
                if (connection.isJoined()) {
                    rulesFrame().ifPresent(connection::deliver);
                } else if (isWaiting()) {
                    // The waiting room was switched off, or we were made host: nothing to wait for.
                    Optional<Meeting> m = hub.stores().meetings().find(claims.meetingId());
                    if (m.isPresent() && (!m.get().rules().waitingRoom() || isHost(m.get()))) {
                        admit();
                    }
                }
            }
            case MeetingEvent.MeetingEnded e -> {
                log.info("event=meeting_ended_for_socket meeting_id={} participant_id={}", claims.meetingId(), me);
                connection.reply(new ServerMessage.MeetingEnded("A host ended the meeting for everyone"));
                connection.terminate(SignalingSockets.CLOSE_MEETING_ENDED, "meeting ended", "meeting_ended");
            }
            default -> { }
        }
    }

    private void admit() {
        connection.withLifecycle(() -> {
            if (waitingJoin == null) {
                return;
            }
            ClientMessage.Join request = waitingJoin;
            waitingJoin = null;
            waitSubscription.close();
            waitSubscription = null;
            admitted = true;
            log.info("event=participant_admitted meeting_id={} participant_id={}", claims.meetingId(), claims.participantId());
            connection.reply(new ServerMessage.Admitted(request.requestId()));
            connection.joinNow(request);
        });
    }

    private void deny() {
        boolean wasWaiting = connection.withLifecycle(() -> {
            if (waitingJoin == null) {
                return false;
            }
            // Denied is the hosts' word; "left" would be wrong in their list.
            waitingJoin = null;
            waitSubscription.close();
            waitSubscription = null;
            return true;
        });
        if (wasWaiting) {
            log.info("event=participant_denied meeting_id={} participant_id={}", claims.meetingId(), claims.participantId());
            connection.reply(new ServerMessage.Denied("A host did not let you in"));
            connection.terminate(SignalingSockets.CLOSE_DENIED, "denied by host", "denied");
        }
    }

    private Optional<ServerMessage> rulesFrame() {
        return hub.stores().meetings().find(claims.meetingId()).map(m -> new ServerMessage.MeetingRules(m.hostId(),
                isHost(m), m.rules().locked(), m.rules().waitingRoom(), m.rules().selfUnmute()));
    }

    private boolean amHost() {
        return hub.stores().meetings().find(claims.meetingId()).map(this::isHost).orElse(false);
    }

    private boolean isHost(Meeting meeting) {
        return claims.hostGrant() || meeting.hostId().equals(claims.userId());
    }
}
