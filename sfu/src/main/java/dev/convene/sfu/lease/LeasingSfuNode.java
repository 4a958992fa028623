package dev.convene.sfu.lease;

import dev.convene.sfu.ParticipantListener;
import dev.convene.sfu.ParticipantSession;
import dev.convene.sfu.PublishResult;
import dev.convene.sfu.SdpRejectedException;
import dev.convene.sfu.SessionGoneException;
import dev.convene.sfu.SfuNode;
import dev.convene.sfu.SubscribedTrack;
import dev.convene.sfu.TrackDeclaration;
import dev.convene.sfu.TrackInfo;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a node's sessions outlive whoever opened them. Each session gets an id and stays on the
 * node while a caller holds it, or, once detached, for its lease; any caller that names it by id
 * may {@link #attach} and carry on with the same transports, tracks and subscriptions, while the
 * previous holder hears {@link ParticipantListener#onSessionMoved}. Every attachment is its own
 * {@link ParticipantSession} handle, and only the newest one acts: a handle superseded by an
 * attach cannot close or detach the session from under its new holder.
 *
 * <p>Threads: calls come from signaling or control threads, events from the node's threads;
 * each session's holder changes under that session's lock, and events are passed on under it,
 * so no event goes to a holder that has been replaced.
 */
public final class LeasingSfuNode implements SfuNode, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LeasingSfuNode.class);

    /** When leases end: a real scheduler in production, a hand-driven one in unit tests. */
    public interface Timer {
        /** Runs {@code task} after {@code delay}; the returned action cancels it. */
        Runnable schedule(Runnable task, Duration delay);
    }

    private final SfuNode inner;
    private final Timer timer;
    private final ScheduledExecutorService ownTimer;
    private final SecureRandom random = new SecureRandom();
    private final ConcurrentMap<String, Leased> sessions = new ConcurrentHashMap<>();

    /** Leases end on a daemon thread of this node's own. */
    public LeasingSfuNode(SfuNode inner) {
        this.inner = Objects.requireNonNull(inner, "inner");
        this.ownTimer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "convene-session-leases");
            t.setDaemon(true);
            return t;
        });
        this.timer = (task, delay) -> {
            ScheduledFuture<?> f = ownTimer.schedule(task, Math.max(0, delay.toMillis()), TimeUnit.MILLISECONDS);
            return () -> f.cancel(false);
        };
    }

    public LeasingSfuNode(SfuNode inner, Timer timer) {
        this.inner = Objects.requireNonNull(inner, "inner");
        this.timer = Objects.requireNonNull(timer, "timer");
        this.ownTimer = null;
    }

    @Override
    public String nodeId() {
        return inner.nodeId();
    }

    @Override
    public ParticipantSession join(String meetingId, String participantId, ParticipantListener listener) {
        byte[] bytes = new byte[12];
        random.nextBytes(bytes);
        return join("ss_" + HexFormat.of().formatHex(bytes), meetingId, participantId, listener);
    }

    /**
     * Joins under an id the caller chose (the control channel's session id).
     *
     * @throws IllegalStateException if a session of that id lives on this node
     */
    public ParticipantSession join(String sessionId, String meetingId, String participantId, ParticipantListener listener) {
        Objects.requireNonNull(listener, "listener");
        Leased leased = new Leased(sessionId, meetingId, participantId);
        if (sessions.putIfAbsent(sessionId, leased) != null) {
            throw new IllegalStateException("session " + sessionId + " exists");
        }
        Attachment first = leased.firstAttachment(listener);
        try {
            leased.inner = inner.join(meetingId, participantId, leased);
        } catch (RuntimeException e) {
            sessions.remove(sessionId, leased);
            throw e;
        }
        return first;
    }

    @Override
    public ParticipantSession attach(String sessionId, String participantId, ParticipantListener listener) {
        Objects.requireNonNull(listener, "listener");
        Leased leased = sessions.get(sessionId);
        if (leased == null || leased.inner == null || !leased.participantId.equals(participantId)) {
            throw new SessionGoneException("no live session " + sessionId + " of participant " + participantId
                    + " on node " + nodeId());
        }
        return leased.attach(listener);
    }

    /** Sessions on the node now, held or detached. */
    public int sessionCount() {
        return sessions.size();
    }

    /** Sessions waiting, detached, for an attach or the end of their lease. */
    public int detachedCount() {
        return (int) sessions.values().stream().filter(Leased::isDetached).count();
    }

    /**
     * Ends the detached sessions of {@code meetingId} now instead of at the end of their lease:
     * the meeting was moved to another node while this one could not speak (fencing, ADR 0030),
     * so nobody will attach to them and their media must stop. Held sessions are left to their
     * holders.
     *
     * @return how many sessions ended
     */
    public int endDetached(String meetingId) {
        int ended = 0;
        for (Leased leased : List.copyOf(sessions.values())) {
            if (leased.meetingId.equals(meetingId) && leased.endIfDetached()) {
                ended++;
            }
        }
        return ended;
    }

    /** Closes every session still on the node, held or detached, and stops the lease timer; the inner node stays up. */
    @Override
    public void close() {
        for (Leased leased : List.copyOf(sessions.values())) {
            try {
                leased.close(null);
            } catch (RuntimeException e) {
                log.warn("event=session_close_failed session={} error={}", leased.id, e.toString());
            }
        }
        if (ownTimer != null) {
            ownTimer.shutdownNow();
        }
    }

    /** One session on the node, whoever holds it; the inner node's listener for it. */
    private final class Leased implements ParticipantListener {
        final String id;
        final String meetingId;
        final String participantId;
        volatile ParticipantSession inner;
        /** The newest attachment; null once closed. Guarded by this. */
        private Attachment holder;
        private boolean detached;
        private boolean closed;
        private Runnable cancelLease;
        /** The last subscriber offer not answered yet, offered again to a new holder. Guarded by this. */
        private String unansweredOffer;
        private List<SubscribedTrack> unansweredTracks;

        Leased(String id, String meetingId, String participantId) {
            this.id = id;
            this.meetingId = meetingId;
            this.participantId = participantId;
        }

        synchronized Attachment firstAttachment(ParticipantListener listener) {
            holder = new Attachment(this, listener);
            return holder;
        }

        synchronized boolean isDetached() {
            return detached;
        }

        Attachment attach(ParticipantListener listener) {
            Attachment previous;
            Attachment next;
            synchronized (this) {
                if (closed) {
                    throw new SessionGoneException("session " + id + " has ended");
                }
                if (cancelLease != null) {
                    cancelLease.run();
                    cancelLease = null;
                }
                previous = detached ? null : holder;
                detached = false;
                next = new Attachment(this, listener);
                holder = next;
                if (unansweredOffer != null) {
                    listener.onSubscriberOffer(unansweredOffer, unansweredTracks);
                }
            }
            log.info("event=session_attached session={} participant_id={} took_from_holder={}", id, participantId,
                    previous != null);
            if (previous != null) {
                previous.listener.onSessionMoved();
            }
            return next;
        }

        synchronized boolean isHolder(Attachment a) {
            return !closed && holder == a;
        }

        void detach(Attachment a, Duration lease) {
            synchronized (this) {
                if (closed || holder != a || detached) {
                    return;
                }
                detached = true;
                cancelLease = timer.schedule(() -> leaseEnded(lease), lease);
            }
            log.info("event=session_detached session={} participant_id={} lease_ms={}", id, participantId, lease.toMillis());
        }

        boolean endIfDetached() {
            synchronized (this) {
                if (closed || !detached) {
                    return false;
                }
            }
            log.info("event=session_fenced session={} meeting_id={} participant_id={}", id, meetingId, participantId);
            close(null);
            return true;
        }

        private void leaseEnded(Duration lease) {
            synchronized (this) {
                if (closed || !detached) {
                    return;
                }
            }
            log.info("event=session_lease_ended session={} participant_id={} lease_ms={}", id, participantId,
                    lease.toMillis());
            close(null);
        }

        /** Closes the session; with an attachment, only if that attachment still holds it. */
        void close(Attachment a) {
            synchronized (this) {
                if (closed || (a != null && holder != a)) {
                    return;
                }
                closed = true;
                holder = null;
                if (cancelLease != null) {
                    cancelLease.run();
                    cancelLease = null;
                }
            }
            sessions.remove(id, this);
            ParticipantSession s = inner;
            if (s != null) {
                s.close();
            }
        }

        synchronized void answered() {
            unansweredOffer = null;
            unansweredTracks = null;
        }

        // ---- events from the node

        @Override
        public void onSubscriberOffer(String sdpOffer, List<SubscribedTrack> tracks) {
            synchronized (this) {
                unansweredOffer = sdpOffer;
                unansweredTracks = List.copyOf(tracks);
                if (holder != null && !detached) {
                    holder.listener.onSubscriberOffer(sdpOffer, tracks);
                }
            }
        }

        @Override
        public void onActiveSpeakers(List<String> participantIds) {
            synchronized (this) {
                if (holder != null && !detached) {
                    holder.listener.onActiveSpeakers(participantIds);
                }
            }
        }

        @Override
        public void onPublishLayers(String trackId, List<dev.convene.sfu.PublishLayer> layers) {
            synchronized (this) {
                if (holder != null && !detached) {
                    holder.listener.onPublishLayers(trackId, layers);
                }
            }
        }

        @Override
        public void onMediaFailed(String reason) {
            Attachment told;
            synchronized (this) {
                if (closed) {
                    return;
                }
                closed = true;
                told = detached ? null : holder;
                holder = null;
                if (cancelLease != null) {
                    cancelLease.run();
                    cancelLease = null;
                }
            }
            sessions.remove(id, this);
            if (told != null) {
                told.listener.onMediaFailed(reason);
            }
        }
    }

    /** One caller's hold on a session; acts only while it is the newest. */
    private static final class Attachment implements ParticipantSession {
        final Leased leased;
        final ParticipantListener listener;

        Attachment(Leased leased, ParticipantListener listener) {
            this.leased = leased;
            this.listener = listener;
        }

        private ParticipantSession session() {
            if (!leased.isHolder(this)) {
                throw new SessionGoneException("session " + leased.id + " is held elsewhere or has ended");
            }
            return leased.inner;
        }

        @Override
        public String sessionId() {
            return leased.id;
        }

        @Override
        public String participantId() {
            return leased.participantId;
        }

        @Override
        public void declareTrack(TrackDeclaration declaration) {
            session().declareTrack(declaration);
        }

        @Override
        public PublishResult onPublisherOffer(String sdpOffer) throws SdpRejectedException {
            return session().onPublisherOffer(sdpOffer);
        }

        @Override
        public void onSubscriberAnswer(String sdpAnswer) throws SdpRejectedException {
            session().onSubscriberAnswer(sdpAnswer);
            leased.answered();
        }

        @Override
        public void unpublish(String trackId) {
            session().unpublish(trackId);
        }

        @Override
        public void setMuted(String trackId, boolean muted) {
            session().setMuted(trackId, muted);
        }

        @Override
        public void setSubscribeSettings(String trackId, dev.convene.sfu.SubscribeSettings settings) {
            session().setSubscribeSettings(trackId, settings);
        }

        @Override
        public void receiveNothing() {
            session().receiveNothing();
        }

        @Override
        public String onPlayerOffer(String sdpOffer, String publisherId) throws SdpRejectedException {
            return session().onPlayerOffer(sdpOffer, publisherId);
        }

        @Override
        public List<TrackInfo> publishedTracks() {
            return session().publishedTracks();
        }

        @Override
        public List<TrackInfo> roomTracks() {
            return session().roomTracks();
        }

        @Override
        public void close() {
            leased.close(this);
        }

        @Override
        public void detach(Duration lease) {
            leased.detach(this, lease);
        }
    }
}
