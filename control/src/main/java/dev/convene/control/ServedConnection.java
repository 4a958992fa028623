package dev.convene.control;

import dev.convene.control.ControlFrame.Close;
import dev.convene.control.ControlFrame.DeclareTrack;
import dev.convene.control.ControlFrame.Join;
import dev.convene.control.ControlFrame.Ping;
import dev.convene.control.ControlFrame.PublishedTracks;
import dev.convene.control.ControlFrame.PublisherOffer;
import dev.convene.control.ControlFrame.Reply;
import dev.convene.control.ControlFrame.Request;
import dev.convene.control.ControlFrame.SetMuted;
import dev.convene.control.ControlFrame.SubscriberAnswer;
import dev.convene.control.ControlFrame.Unpublish;
import dev.convene.sfu.ParticipantListener;
import dev.convene.sfu.ParticipantSession;
import dev.convene.sfu.SdpRejectedException;
import dev.convene.sfu.SessionGoneException;
import dev.convene.sfu.SubscribedTrack;
import dev.convene.sfu.lease.LeasingSfuNode;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One authenticated control connection on the SFU side: decodes requests, runs each session's
 * calls on that session's {@link SerialLane}, and pushes the sessions' events. The sessions it
 * holds (opened, or attached from elsewhere) are detached when it ends, however it ends: their
 * media carries on for the orphan lease, so that another signaling node can {@code attach} them
 * (a participant resuming there), and they are closed when the lease runs out, so a signaling
 * node that vanishes leaves no media sessions behind for long.
 */
final class ServedConnection {

    private static final Logger log = LoggerFactory.getLogger(ServedConnection.class);

    private final String connectionId;
    private final String callerId;
    private final LeasingSfuNode node;
    private final Duration orphanLease;
    private final ControlCodec codec;
    private final FrameWriter writer;
    private final Executor workers;
    private final ConcurrentMap<String, Served> sessions = new ConcurrentHashMap<>();
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile long lastInboundNanos;

    ServedConnection(String connectionId, String callerId, LeasingSfuNode node, Duration orphanLease, ControlCodec codec,
            FrameWriter writer, Executor workers, long nowNanos) {
        this.connectionId = connectionId;
        this.callerId = callerId;
        this.node = node;
        this.orphanLease = orphanLease;
        this.codec = codec;
        this.writer = writer;
        this.workers = workers;
        this.lastInboundNanos = nowNanos;
    }

    String connectionId() {
        return connectionId;
    }

    int openSessions() {
        return sessions.size();
    }

    long silentNanos(long nowNanos) {
        return nowNanos - lastInboundNanos;
    }

    void start() {
        send(new ControlFrame.Hello(node.nodeId()));
    }

    // ---------------------------------------------------------------- inbound

    /** One text frame, on Jetty's thread for this socket; nothing here waits for the SFU. */
    void onText(String text, long nowNanos) {
        lastInboundNanos = nowNanos;
        ControlFrame frame;
        try {
            frame = codec.decode(text);
        } catch (FrameException e) {
            log.info("event=control_bad_frame connection_id={} code={} message=\"{}\"", connectionId, e.code().wire(),
                    e.getMessage());
            send(e.toReply());
            return;
        }
        switch (frame) {
            case Ping p -> send(new ControlFrame.Pong());
            case Join j -> join(j);
            case ControlFrame.Attach a -> attach(a);
            case Request r -> forSession(r);
            default -> {
                long id = frame instanceof Reply r ? r.id() : 0;
                send(new ControlFrame.Error(id, ControlError.UNKNOWN_TYPE, "an SFU does not accept this frame type"));
            }
        }
    }

    void onBinary(long nowNanos) {
        lastInboundNanos = nowNanos;
        send(new ControlFrame.Error(0, ControlError.MALFORMED_FRAME, "frames are JSON text, not binary"));
    }

    private void join(Join request) {
        Served served = new Served(request.session());
        if (sessions.putIfAbsent(request.session(), served) != null) {
            send(error(request, ControlError.DUPLICATE_SESSION, "session " + request.session() + " is already open"));
            return;
        }
        served.lane.submit(() -> {
            if (ended.get()) {
                sessions.remove(served.id, served);
                return;
            }
            try {
                served.session = node.join(request.session(), request.meetingId(), request.participantId(), served);
            } catch (IllegalStateException e) {
                sessions.remove(served.id, served);
                send(error(request, ControlError.DUPLICATE_SESSION, "session " + request.session() + " exists on this node"));
                return;
            } catch (RuntimeException e) {
                sessions.remove(served.id, served);
                log.warn("event=control_join_failed connection_id={} meeting_id={} participant_id={} error={}",
                        connectionId, request.meetingId(), request.participantId(), e.toString());
                send(error(request, ControlError.INTERNAL, String.valueOf(e.getMessage())));
                return;
            }
            log.info("event=control_session_opened connection_id={} session={} meeting_id={} participant_id={}",
                    connectionId, served.id, request.meetingId(), request.participantId());
            // A close for a connection that ended meanwhile is queued behind this task on the lane.
            send(new ControlFrame.Ok(request.id()));
        });
    }

    private void attach(ControlFrame.Attach request) {
        Served served = new Served(request.session());
        if (sessions.putIfAbsent(request.session(), served) != null) {
            send(error(request, ControlError.DUPLICATE_SESSION, "session " + request.session() + " is already held here"));
            return;
        }
        served.lane.submit(() -> {
            if (ended.get()) {
                sessions.remove(served.id, served);
                return;
            }
            try {
                served.session = node.attach(request.session(), request.participantId(), served);
            } catch (SessionGoneException e) {
                sessions.remove(served.id, served);
                send(error(request, ControlError.UNKNOWN_SESSION, e.getMessage()));
                return;
            }
            log.info("event=control_session_attached connection_id={} session={} participant_id={}", connectionId,
                    served.id, request.participantId());
            send(new ControlFrame.Ok(request.id()));
        });
    }

    private void forSession(Request request) {
        Served served = sessions.get(request.session());
        if (served == null) {
            send(error(request, ControlError.UNKNOWN_SESSION, "no open session " + request.session()));
            return;
        }
        served.lane.submit(() -> execute(served, request));
    }

    private void execute(Served served, Request request) {
        ParticipantSession session = served.session;
        if (session == null || served.closed) {
            send(error(request, ControlError.UNKNOWN_SESSION, "session " + request.session() + " is closed"));
            return;
        }
        try {
            Reply reply = switch (request) {
                case DeclareTrack d -> {
                    session.declareTrack(d.declaration());
                    yield new ControlFrame.Ok(d.id());
                }
                case PublisherOffer o -> new ControlFrame.Published(o.id(), session.onPublisherOffer(o.sdp()));
                case SubscriberAnswer a -> {
                    session.onSubscriberAnswer(a.sdp());
                    yield new ControlFrame.Ok(a.id());
                }
                case Unpublish u -> {
                    session.unpublish(u.trackId());
                    yield new ControlFrame.Ok(u.id());
                }
                case SetMuted m -> {
                    session.setMuted(m.trackId(), m.muted());
                    yield new ControlFrame.Ok(m.id());
                }
                case ControlFrame.SetSubscribeSettings s -> {
                    session.setSubscribeSettings(s.trackId().isEmpty() ? null : s.trackId(), s.settings());
                    yield new ControlFrame.Ok(s.id());
                }
                case ControlFrame.ReceiveNothing r -> {
                    session.receiveNothing();
                    yield new ControlFrame.Ok(r.id());
                }
                case ControlFrame.PlayerOffer o -> new ControlFrame.PlayerAnswer(o.id(),
                        session.onPlayerOffer(o.sdp(), o.publisherId()));
                case PublishedTracks p -> new ControlFrame.Tracks(p.id(), List.copyOf(session.publishedTracks()));
                case ControlFrame.RoomTracks r -> new ControlFrame.Tracks(r.id(), List.copyOf(session.roomTracks()));
                case ControlFrame.Detach d -> {
                    served.closed = true;
                    sessions.remove(served.id, served);
                    session.detach(Duration.ofMillis(d.leaseMillis()));
                    yield new ControlFrame.Ok(d.id());
                }
                case Close c -> {
                    served.closed = true;
                    sessions.remove(served.id, served);
                    session.close();
                    log.info("event=control_session_closed connection_id={} session={} reason=close", connectionId, served.id);
                    yield new ControlFrame.Ok(c.id());
                }
                case Join j -> throw new IllegalStateException("join is handled before");
                case ControlFrame.Attach a -> throw new IllegalStateException("attach is handled before");
            };
            send(reply);
        } catch (SdpRejectedException e) {
            send(error(request, ControlError.SDP_REJECTED, e.getMessage()));
        } catch (SessionGoneException e) {
            served.closed = true;
            sessions.remove(served.id, served);
            send(error(request, ControlError.UNKNOWN_SESSION, e.getMessage()));
        } catch (RuntimeException e) {
            log.warn("event=control_call_failed connection_id={} session={} error={}", connectionId, served.id, e.toString());
            send(error(request, ControlError.INTERNAL, String.valueOf(e.getMessage())));
        }
    }

    private static ControlFrame.Error error(Request request, ControlError code, String message) {
        return new ControlFrame.Error(request.id(), code, message);
    }

    private void send(ControlFrame frame) {
        writer.send(codec.encode(frame));
    }

    // ---------------------------------------------------------------- the end

    /**
     * The connection is over (peer closed it, network lost, heartbeat timeout, server stopping):
     * every session it opened is closed, each after the calls already queued on its lane.
     *
     * @param closeCode close code sent to the peer if the socket is still open
     * @return completes once the close frame is out (or the socket is known dead)
     */
    CompletableFuture<Void> end(String why, int closeCode, String closeReason) {
        return end(why, closeCode, closeReason, false);
    }

    /** @param closeSessions close the sessions now (the SFU is stopping) instead of leaving them under the orphan lease */
    CompletableFuture<Void> end(String why, int closeCode, String closeReason, boolean closeSessions) {
        if (!ended.compareAndSet(false, true)) {
            return writer.finished();
        }
        writer.close(closeCode, closeReason);
        List<Served> open = List.copyOf(sessions.values());
        log.info("event=control_connection_ended connection_id={} caller={} reason={} sessions={} sessions_then={}",
                connectionId, callerId, why, open.size(), closeSessions ? "closed" : "detached");
        for (Served served : open) {
            served.lane.submit(() -> {
                sessions.remove(served.id, served);
                ParticipantSession session = served.session;
                if (session != null && !served.closed) {
                    served.closed = true;
                    try {
                        if (closeSessions) {
                            session.close();
                        } else {
                            session.detach(orphanLease);
                        }
                    } catch (RuntimeException e) {
                        log.warn("event=control_orphan_close_failed connection_id={} session={} error={}",
                                connectionId, served.id, e.toString());
                    }
                }
            });
        }
        return writer.finished();
    }

    /** One session opened through this connection; also its listener, so events carry its id. */
    private final class Served implements ParticipantListener {
        final String id;
        final SerialLane lane = new SerialLane(workers);
        volatile ParticipantSession session;
        volatile boolean closed;

        Served(String id) {
            this.id = id;
        }

        @Override
        public void onSubscriberOffer(String sdpOffer, List<SubscribedTrack> tracks) {
            send(new ControlFrame.SubscriberOffer(id, sdpOffer, List.copyOf(tracks)));
        }

        @Override
        public void onActiveSpeakers(List<String> participantIds) {
            send(new ControlFrame.ActiveSpeakers(id, List.copyOf(participantIds)));
        }

        @Override
        public void onPublishLayers(String trackId, List<dev.convene.sfu.PublishLayer> layers) {
            send(new ControlFrame.PublishLayers(id, trackId, List.copyOf(layers)));
        }

        @Override
        public void onMediaFailed(String reason) {
            // The SFU closed the session itself; it is gone from this connection too.
            closed = true;
            sessions.remove(id, this);
            send(new ControlFrame.MediaFailed(id, reason));
        }

        @Override
        public void onSessionMoved() {
            closed = true;
            sessions.remove(id, this);
            log.info("event=control_session_moved connection_id={} session={}", connectionId, id);
            send(new ControlFrame.SessionMoved(id));
        }
    }
}
