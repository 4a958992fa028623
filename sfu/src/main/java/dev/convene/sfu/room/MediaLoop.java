package dev.convene.sfu.room;

import dev.convene.media.routing.PacketArrays;
import dev.convene.media.routing.PipelineStage;
import dev.convene.media.routing.RetransmissionBuffer;
import dev.convene.media.routing.simulcast.Allocator;
import dev.convene.media.routing.rtcp.LocalNtpClock;
import dev.convene.media.transport.dtls.DtlsCertificate;
import dev.convene.sfu.ParticipantListener;
import dev.convene.sfu.ParticipantSession;
import dev.convene.sfu.SfuConfig;
import dev.convene.sfu.metrics.SfuMetrics;
import dev.convene.sfu.negotiation.HostCandidate;
import dev.convene.sfu.net.LoopAllocation;
import dev.convene.sfu.net.MediaCounters;
import dev.convene.sfu.net.MediaSocket;
import dev.convene.sfu.net.MediaTcpServer;
import dev.convene.sfu.net.TcpLimits;
import dev.convene.sfu.transport.TransportDemux;
import dev.convene.sfu.transport.WebRtcTransport;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One media event loop of a node (ADR 0036): its own UDP media port (one socket per local
 * address, ADR 0007), its ICE-TCP port if the node serves ICE-TCP, its transports and the rooms
 * of the meetings pinned to it, its packet router, scratch buffers and packet-array pool, its
 * periodic ticks. Nothing of it is shared with another loop, so the packet path takes no lock;
 * what the loops share (counters, metrics, the DTLS certificate, the offer writer) is
 * thread-safe and off the per-packet path or made of {@code LongAdder}s.
 */
final class MediaLoop implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(MediaLoop.class);
    /**
     * How often due NACKs go to publishers: short against a jitter buffer's patience (RTT +
     * one retry fits in ~150 ms on a 40 ms path), long enough to pack a burst's losses in one.
     */
    private static final long FEEDBACK_TICK_MILLIS = 20;
    /** Speaker detection, audio selection and dynacast run every this many feedback ticks: 100 ms. */
    private static final int SPEAKER_EVERY_TICKS = 5;

    /** What the loops of one node share; all of it thread-safe. */
    record Shared(SfuConfig config, MediaCounters counters, SfuMetrics metrics, LocalNtpClock ntpClock,
            DtlsCertificate certificate, Executor negotiation, long sdpSessionId, Allocator allocator,
            ConcurrentMap<String, MediaLoop> placement) {
    }

    private final int index;
    private final Shared shared;
    private final TransportDemux demux;
    private final MediaSocket socket;
    /** The ICE-TCP port, or null when it is off. */
    private final MediaTcpServer tcp;
    private final LoopExecutor loop;
    private final Context context = new Context();
    private final Map<String, Room> rooms = new HashMap<>();
    /** {@link #rooms}' values, rebuilt when a room comes or goes: the ticks walk it without copying (ADR 0027). */
    private Room[] roomArray = new Room[0];
    private final SecureRandom random = new SecureRandom();
    private final byte[] tx = new byte[MediaSocket.MAX_DATAGRAM + MediaSocket.TRAILER_ROOM];
    /** The RTCP feedback (PLI, NACK, REMB) of every transport on this loop is written here. */
    private final byte[] rtcpScratch = WebRtcTransport.newRtcpScratch();
    private final List<HostCandidate> candidates;
    private final PacketRouter router;
    private final ScheduledFuture<?> ticker;
    private final ScheduledFuture<?> feedbackTicker;
    private long feedbackTicks;
    /** Participants in this loop's rooms: written on the loop, read by placement on any thread. */
    private volatile int participants;
    /** Meetings placed on this loop, counted from the moment of placement (before their room exists). */
    final AtomicInteger placedMeetings = new AtomicInteger();
    /** Written on the loop, read by tests from another thread. */
    private volatile long timerAllocatedBytes;
    private volatile long packetArraysGrowthBytes;
    private long lastTickFailureLogNanos;

    /**
     * Binds the loop's ports: UDP {@code udpPort} on each of {@code local} and, unless
     * {@code tcpPort} is {@link SfuConfig#TCP_DISABLED}, ICE-TCP {@code tcpPort} on {@code host}.
     */
    MediaLoop(int index, Shared shared, InetAddress host, List<InetAddress> local, int udpPort, int tcpPort)
            throws InterruptedException {
        this.index = index;
        this.shared = shared;
        SfuConfig config = shared.config();
        this.demux = new TransportDemux(shared.counters());
        this.socket = MediaSocket.bind(local, udpPort, demux, host.isAnyLocalAddress(), "convene-media-" + index);
        try {
            // TCP replies always leave from the address the connection reached, so one listening
            // socket (on the wildcard address when UDP uses every address) serves every candidate.
            this.tcp = tcpPort == SfuConfig.TCP_DISABLED ? null
                    : MediaTcpServer.bind(socket.loop(), new InetSocketAddress(host, tcpPort), demux, shared.counters(),
                            TcpLimits.DEFAULTS, System::nanoTime);
        } catch (RuntimeException | InterruptedException e) {
            socket.close();
            throw e;
        }
        this.loop = new LoopExecutor(socket.loop(), socket.loop()::inEventLoop);
        List<InetAddress> announced = new ArrayList<>(config.advertisedAddresses());
        socket.endpoints().forEach(e -> announced.add(e.localAddress().getAddress()));
        List<HostCandidate> all = new ArrayList<>(HostCandidate.udp(announced, socket.port()));
        if (tcp != null) {
            all.addAll(HostCandidate.tcpPassive(announced, tcp.localAddress().getPort()));
        }
        this.candidates = List.copyOf(all);
        this.router = new PacketRouter(shared.counters(), tx, context.arrays);
        this.ticker = socket.loop().scheduleAtFixedRate(this::tick, 1, 1, TimeUnit.SECONDS);
        this.feedbackTicker = socket.loop().scheduleAtFixedRate(this::feedbackTick, FEEDBACK_TICK_MILLIS,
                FEEDBACK_TICK_MILLIS, TimeUnit.MILLISECONDS);
    }

    int index() {
        return index;
    }

    LoopExecutor executor() {
        return loop;
    }

    List<HostCandidate> candidates() {
        return candidates;
    }

    int udpPort() {
        return socket.port();
    }

    /** The ICE-TCP port, or 0 when ICE-TCP is off. */
    int tcpPort() {
        return tcp == null ? 0 : tcp.localAddress().getPort();
    }

    int tcpConnectionCount() {
        return tcp == null ? 0 : tcp.connectionCount();
    }

    int participants() {
        return participants;
    }

    boolean batchedNativeIo() {
        return socket.batchedNativeIo();
    }

    long timerAllocatedBytes() {
        return timerAllocatedBytes;
    }

    long packetArraysGrowthBytes() {
        return packetArraysGrowthBytes;
    }

    long stunAllocatedBytes() {
        return demux.stunAllocatedBytes();
    }

    /**
     * Adds a participant to {@code meetingId}'s room here; null if the meeting is no longer
     * placed on this loop (its room emptied and was removed between the caller's placement
     * look-up and this call: the caller places it anew).
     */
    ParticipantSession join(String meetingId, String participantId, ParticipantListener listener) {
        return loop.get(() -> {
            if (shared.placement().get(meetingId) != this) {
                return null;
            }
            Room room = rooms.get(meetingId);
            if (room == null) {
                room = new Room(meetingId, shared.config().maxAudioStreams());
                rooms.put(meetingId, room);
                roomArray = rooms.values().toArray(new Room[0]);
            }
            Participant participant = new Participant(participantId, room, context, listener);
            room.add(participant);
            participants++;
            log.info("event=participant_joined meeting={} participant={} media_loop={}", meetingId, participantId, index);
            return new LoopParticipantSession(loop, participant);
        });
    }

    /** Adds this loop's stage counters to {@code sums}; on the loop. */
    void addStageCounters(Map<String, Long> sums) {
        loop.run(() -> {
            for (Room room : rooms.values()) {
                for (Participant p : room.participants()) {
                    for (PublishedTrack track : p.tracks()) {
                        for (TrackLayer layer : track.layers()) {
                            add(sums, "inbound.", layer.inbound().stages());
                        }
                        for (Forwarder f : track.forwarders()) {
                            add(sums, "outbound.", f.leg().stages());
                        }
                    }
                }
            }
        });
    }

    private static void add(Map<String, Long> sums, String prefix, List<PipelineStage> stages) {
        for (PipelineStage stage : stages) {
            stage.appendCounters((name, value) -> sums.merge(prefix + stage.name() + "." + name, value, Long::sum));
        }
    }

    /** Participants in rooms here, counted on the loop. */
    int countParticipants() {
        return loop.get(() -> rooms.values().stream().mapToInt(r -> r.participants().size()).sum());
    }

    /** Meetings with participants here. */
    List<String> meetingIds() {
        return loop.get(() -> rooms.entrySet().stream().filter(e -> !e.getValue().participants().isEmpty())
                .map(Map.Entry::getKey).toList());
    }

    long threadId() {
        return loop.get(() -> Thread.currentThread().threadId());
    }

    private void tick() {
        long allocatedBefore = LoopAllocation.current();
        long now = System.nanoTime();
        for (Room room : roomArray) {
            for (Participant p : room.members()) {
                try {
                    p.tick(now);
                } catch (RuntimeException e) {
                    tickFailed("report", room, e);
                }
            }
        }
        if (index == 0) {
            // The node's loss windows move once per interval, not once per loop.
            shared.metrics().endInterval();
        }
        timerAllocatedBytes += LoopAllocation.current() - allocatedBefore;
    }

    private void feedbackTick() {
        long allocatedBefore = LoopAllocation.current();
        try {
            feedbackTickOnce();
            // Spare packet arrays ahead of the next bursts, so that storing packets allocates nothing.
            context.arrays.replenish();
            context.heads.replenish();
            packetArraysGrowthBytes = context.arrays.allocatedOnReplenish() * (long) context.arrays.arraySize()
                    + context.heads.allocatedOnReplenish() * (long) context.heads.arraySize();
        } finally {
            timerAllocatedBytes += LoopAllocation.current() - allocatedBefore;
        }
    }

    private void feedbackTickOnce() {
        long now = System.nanoTime();
        boolean speakerTick = ++feedbackTicks % SPEAKER_EVERY_TICKS == 0;
        for (Room room : roomArray) {
            for (Participant p : room.members()) {
                try {
                    p.feedbackTick(now);
                } catch (RuntimeException e) {
                    tickFailed("feedback", room, e);
                }
            }
            if (speakerTick) {
                try {
                    room.speakerTick(now);
                } catch (RuntimeException e) {
                    tickFailed("speaker", room, e);
                }
            }
        }
    }

    /**
     * A periodic task that throws out of the loop's scheduler is never run again — for every
     * meeting on the loop (RTCP, consent, estimates, allocation). One participant's bug must not
     * do that: the failure is logged (at most every 10 s, it may repeat every tick) and the tick
     * goes on with the others.
     */
    private void tickFailed(String tick, Room room, RuntimeException e) {
        long now = System.nanoTime();
        if (now - lastTickFailureLogNanos > TimeUnit.SECONDS.toNanos(10) || lastTickFailureLogNanos == 0) {
            lastTickFailureLogNanos = now;
            log.error("event=tick_failed tick={} meeting={} media_loop={}", tick, room.meetingId(), index, e);
        }
    }

    @Override
    public void close() {
        ticker.cancel(false);
        feedbackTicker.cancel(false);
        try {
            loop.run(() -> {
                for (Room room : rooms.values().toArray(Room[]::new)) {
                    for (Participant p : room.participants()) {
                        p.closeOnLoop();
                    }
                }
            });
        } catch (RuntimeException e) {
            log.warn("event=sfu_close_error media_loop={} error={}", index, e.toString());
        }
        if (tcp != null) {
            tcp.close();
        }
        socket.close();
    }

    private final class Context implements RoomContext {
        /** 64 spare at least: a key frame's packets to a few subscribers within one 20 ms tick. */
        private final PacketArrays arrays = new PacketArrays(RetransmissionBuffer.Settings.defaults().maxPacketSize(), 64);
        /** Legs keep heads of most packets (ADR 0038): a key frame's packets to every subscriber within a tick. */
        private final PacketArrays heads = new PacketArrays(RetransmissionBuffer.HEAD_SIZE, 256);

        @Override
        public PacketArrays packetArrays() {
            return arrays;
        }

        @Override
        public PacketArrays headArrays() {
            return heads;
        }

        @Override
        public WebRtcTransport newTransport(String name, WebRtcTransport.Listener listener) {
            return new WebRtcTransport(name, demux, socket.loop(), shared.certificate(), shared.counters(),
                    shared.config().consentTimeout(), listener, rtcpScratch);
        }

        @Override
        public String newId(String prefix) {
            byte[] bytes = new byte[8];
            random.nextBytes(bytes);
            return prefix + HexFormat.of().formatHex(bytes);
        }

        @Override
        public long newSsrc() {
            long ssrc;
            do {
                ssrc = random.nextInt() & 0xFFFFFFFFL;
            } while (ssrc == 0);
            return ssrc;
        }

        @Override
        public MediaCounters counters() {
            return shared.counters();
        }

        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public SfuMetrics metrics() {
            return shared.metrics();
        }

        @Override
        public LocalNtpClock ntpClock() {
            return shared.ntpClock();
        }

        @Override
        public PacketRouter router() {
            return router;
        }

        @Override
        public byte[] txBuffer() {
            return tx;
        }

        @Override
        public List<HostCandidate> candidates() {
            return candidates;
        }

        @Override
        public long sdpSessionId() {
            return shared.sdpSessionId();
        }

        @Override
        public Executor negotiation() {
            return shared.negotiation();
        }

        @Override
        public long estimatedUplinkBps() {
            return shared.config().estimatedUplinkBps();
        }

        @Override
        public Allocator allocator() {
            return shared.allocator();
        }

        @Override
        public int defaultLastN() {
            return shared.config().defaultLastN();
        }

        @Override
        public void onParticipantClosed(Room room) {
            participants--;
            if (room.isEmpty() && rooms.remove(room.meetingId(), room)) {
                roomArray = rooms.values().toArray(new Room[0]);
                // The meeting may be placed anew (on the least loaded loop) at its next first join.
                if (shared.placement().remove(room.meetingId(), MediaLoop.this)) {
                    placedMeetings.decrementAndGet();
                }
            }
        }
    }
}
