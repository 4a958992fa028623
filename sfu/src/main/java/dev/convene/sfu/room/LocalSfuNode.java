package dev.convene.sfu.room;

import dev.convene.media.routing.PacketArrays;
import dev.convene.media.routing.RetransmissionBuffer;
import dev.convene.media.routing.simulcast.Allocator;
import dev.convene.media.routing.simulcast.ResolutionAllocator;
import dev.convene.media.routing.rtcp.LocalNtpClock;
import dev.convene.media.routing.PipelineStage;
import dev.convene.media.transport.dtls.DtlsCertificate;
import dev.convene.media.transport.dtls.DtlsWarmUp;
import dev.convene.sfu.ParticipantListener;
import dev.convene.sfu.ParticipantSession;
import dev.convene.sfu.SfuConfig;
import dev.convene.sfu.SfuNode;
import dev.convene.sfu.metrics.SfuMetrics;
import dev.convene.sfu.negotiation.HostCandidate;
import dev.convene.sfu.net.LocalAddresses;
import dev.convene.sfu.net.LoopAllocation;
import dev.convene.sfu.net.MediaCounters;
import dev.convene.sfu.net.MediaSocket;
import dev.convene.sfu.net.MediaTcpServer;
import dev.convene.sfu.net.TcpLimits;
import dev.convene.sfu.transport.TransportDemux;
import dev.convene.sfu.transport.WebRtcTransport;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An SFU node in this process: one UDP media port, its event loop, and the rooms on it.
 * Signaling reaches it through {@link SfuNode}; everything else happens on the loop.
 */
public final class LocalSfuNode implements SfuNode, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LocalSfuNode.class);
    /**
     * How often due NACKs go to publishers: short against a jitter buffer's patience (RTT +
     * one retry fits in ~150 ms on a 40 ms path), long enough to pack a burst's losses in one.
     */
    private static final long FEEDBACK_TICK_MILLIS = 20;

    private final SfuConfig config;
    private final MediaCounters counters = new MediaCounters();
    private final SfuMetrics metrics;
    private final LocalNtpClock ntpClock = LocalNtpClock.system();
    private final DtlsCertificate certificate;
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
    private final long sdpSessionId;
    /**
     * Writes subscriber offers (RoomContext.negotiation): one platform thread, so offers leave in
     * the order they were made, and neither the loop nor the virtual threads' carriers (DTLS
     * handshakes) spend their time on SDP text.
     */
    private final ExecutorService negotiation = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("convene-sdp-offers").daemon().factory());
    private final List<HostCandidate> candidates;
    private final ScheduledFuture<?> ticker;
    private final ScheduledFuture<?> feedbackTicker;
    private final PacketRouter router;
    private long feedbackTicks;
    /** Written on the loop, read by tests from another thread. */
    private volatile long timerAllocatedBytes;
    private volatile long packetArraysGrowthBytes;
    private long lastTickFailureLogNanos;
    /** Speaker detection, audio selection and dynacast run every this many feedback ticks: 100 ms. */
    private static final int SPEAKER_EVERY_TICKS = 5;

    private LocalSfuNode(SfuConfig config, MeterRegistry registry) throws InterruptedException {
        this.config = config;
        this.metrics = new SfuMetrics(registry, counters);
        this.certificate = DtlsCertificate.generate();
        this.demux = new TransportDemux(counters);
        InetAddress host = config.bind().getAddress();
        List<InetAddress> local = host.isAnyLocalAddress() ? LocalAddresses.ofThisHost() : List.of(host);
        if (local.isEmpty()) {
            throw new IllegalStateException("this host has no address to receive media on");
        }
        this.socket = MediaSocket.bind(local, config.bind().getPort(), demux, host.isAnyLocalAddress());
        try {
            // TCP replies always leave from the address the connection reached, so one listening
            // socket (on the wildcard address when UDP uses every address) serves every candidate.
            this.tcp = config.tcpPort() == SfuConfig.TCP_DISABLED ? null
                    : MediaTcpServer.bind(socket.loop(), new InetSocketAddress(host, config.tcpPort()), demux, counters,
                            TcpLimits.DEFAULTS, System::nanoTime);
        } catch (RuntimeException | InterruptedException e) {
            socket.close();
            throw e;
        }
        this.loop = new LoopExecutor(socket.loop(), socket.loop()::inEventLoop);
        this.sdpSessionId = random.nextLong() & Long.MAX_VALUE;
        List<InetAddress> announced = new ArrayList<>(config.advertisedAddresses());
        socket.endpoints().forEach(e -> announced.add(e.localAddress().getAddress()));
        List<HostCandidate> all = new ArrayList<>(HostCandidate.udp(announced, socket.port()));
        if (tcp != null) {
            all.addAll(HostCandidate.tcpPassive(announced, tcp.localAddress().getPort()));
        }
        this.candidates = List.copyOf(all);
        this.router = new PacketRouter(counters, tx);
        this.ticker = socket.loop().scheduleAtFixedRate(this::tick, 1, 1, TimeUnit.SECONDS);
        this.feedbackTicker = socket.loop().scheduleAtFixedRate(this::feedbackTick, FEEDBACK_TICK_MILLIS,
                FEEDBACK_TICK_MILLIS, TimeUnit.MILLISECONDS);
    }

    public static LocalSfuNode start(SfuConfig config) throws InterruptedException {
        return start(config, new SimpleMeterRegistry());
    }

    /** Starts a node that records its media metrics ({@link SfuMetrics}) in {@code registry}. */
    public static LocalSfuNode start(SfuConfig config, MeterRegistry registry) throws InterruptedException {
        LocalSfuNode node = new LocalSfuNode(config, registry);
        log.info("event=sfu_started node={} media_port={} ice_tcp_port={} candidates={} consent_timeout_s={}",
                config.nodeId(), node.socket.port(), node.tcp == null ? "off" : node.tcpPort(),
                node.candidates.stream().map(c -> c.transport() + ":" + c.address()).toList(),
                config.consentTimeout().toSeconds());
        return node;
    }

    /**
     * Runs {@code handshakes} in-memory DTLS handshakes with this node's certificate on a
     * background thread (ADR 0029), so that a node taking over a failed one's meetings does not
     * pay cold-code prices for its first clients. Logs {@code event=dtls_warmed}.
     */
    public void warmDtls(int handshakes) {
        Thread.ofPlatform().name("convene-dtls-warm-up").daemon().priority(Thread.MIN_PRIORITY).start(() -> {
            try {
                DtlsWarmUp.Result r = DtlsWarmUp.run(certificate, handshakes);
                log.info("event=dtls_warmed node={} handshakes={} first_ms={} last_ms={}", config.nodeId(), r.handshakes(),
                        r.first().toMillis(), r.last().toMillis());
            } catch (RuntimeException e) {
                log.warn("event=dtls_warm_up_failed node={} error=\"{}\"", config.nodeId(), e.getMessage());
            }
        });
    }

    /** The candidates every transport of this node announces, most preferred first. */
    public List<HostCandidate> candidates() {
        return candidates;
    }

    @Override
    public String nodeId() {
        return config.nodeId();
    }

    public int mediaPort() {
        return socket.port();
    }

    /** The ICE-TCP port, or 0 when ICE-TCP is off. */
    public int tcpPort() {
        return tcp == null ? 0 : tcp.localAddress().getPort();
    }

    /** Open ICE-TCP connections (0 when ICE-TCP is off). */
    public int tcpConnectionCount() {
        return tcp == null ? 0 : tcp.connectionCount();
    }

    /** The media event loop's thread, for tests that measure what it allocates. */
    public long loopThreadId() {
        return loop.get(() -> Thread.currentThread().threadId());
    }

    public MediaCounters counters() {
        return counters;
    }

    public SfuMetrics metrics() {
        return metrics;
    }

    @Override
    public ParticipantSession join(String meetingId, String participantId, ParticipantListener listener) {
        return loop.get(() -> {
            Room room = rooms.get(meetingId);
            if (room == null) {
                room = new Room(meetingId, config.maxAudioStreams());
                rooms.put(meetingId, room);
                roomArray = rooms.values().toArray(new Room[0]);
            }
            Participant participant = new Participant(participantId, room, context, listener);
            room.add(participant);
            log.info("event=participant_joined meeting={} participant={}", meetingId, participantId);
            return new LoopParticipantSession(loop, participant);
        });
    }

    /**
     * The packet path's stage counters, summed over the streams on this node now (streams that
     * ended take theirs along): {@code inbound.<stage>.<counter>} for published tracks,
     * {@code outbound.<stage>.<counter>} for subscriber legs. Read on the loop.
     */
    public Map<String, Long> stageCounters() {
        return loop.get(() -> {
            Map<String, Long> sums = new TreeMap<>();
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
            return sums;
        });
    }

    private static void add(Map<String, Long> sums, String prefix, List<PipelineStage> stages) {
        for (PipelineStage stage : stages) {
            stage.appendCounters((name, value) -> sums.merge(prefix + stage.name() + "." + name, value, Long::sum));
        }
    }

    /** Participants in rooms of this node, for load reporting and tests. */
    public int participantCount() {
        return loop.get(() -> rooms.values().stream().mapToInt(r -> r.participants().size()).sum());
    }

    /**
     * Ids of the meetings with participants on this node now (detached sessions under their lease
     * count): what the node reports in its registry heartbeat, so placement can be recovered from
     * the fleet when the shared store lost it. Read on the loop.
     */
    public List<String> meetingIds() {
        return loop.get(() -> rooms.entrySet().stream().filter(e -> !e.getValue().participants().isEmpty())
                .map(Map.Entry::getKey).sorted().toList());
    }

    private void tick() {
        long allocatedBefore = loopAllocatedBytes();
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
        metrics.endInterval();
        timerAllocatedBytes += loopAllocatedBytes() - allocatedBefore;
    }

    private void feedbackTick() {
        long allocatedBefore = loopAllocatedBytes();
        try {
            feedbackTickOnce();
            // Spare packet arrays ahead of the next bursts, so that storing packets allocates nothing.
            context.arrays.replenish();
            packetArraysGrowthBytes = context.arrays.allocatedOnReplenish() * (long) context.arrays.arraySize();
        } finally {
            timerAllocatedBytes += loopAllocatedBytes() - allocatedBefore;
        }
    }

    /**
     * Bytes the loop allocated in the periodic tasks (reports, feedback, layer allocation,
     * speakers), so that a test can tell them from what the packet path allocates: they are
     * work per tick, not per packet (ADR 0027). 0 where the JVM does not count allocation.
     */
    public long timerAllocatedBytes() {
        return timerAllocatedBytes;
    }

    /**
     * Bytes of packet arrays the loop's pool allocated ahead of demand (part of
     * {@link #timerAllocatedBytes()}): growth to a new high of packets held, kept for reuse, not
     * garbage. Published by each tick (reading it costs the loop nothing), for tests.
     */
    public long packetArraysGrowthBytes() {
        return packetArraysGrowthBytes;
    }

    /** Whether the media port reads and writes through its own {@code recvmmsg}/{@code sendmmsg} (ADR 0027). */
    public boolean batchedNativeIo() {
        return socket.batchedNativeIo();
    }

    /**
     * Bytes the loop allocated answering STUN (consent checks every few seconds per transport:
     * parsing, MESSAGE-INTEGRITY, the response), which is work per check, not per packet.
     */
    public long stunAllocatedBytes() {
        return demux.stunAllocatedBytes();
    }

    private static long loopAllocatedBytes() {
        return LoopAllocation.current();
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
     * meeting on the node (RTCP, consent, estimates, allocation). One participant's bug must not
     * do that: the failure is logged (at most every 10 s, it may repeat every tick) and the tick
     * goes on with the others.
     */
    private void tickFailed(String tick, Room room, RuntimeException e) {
        long now = System.nanoTime();
        if (now - lastTickFailureLogNanos > TimeUnit.SECONDS.toNanos(10) || lastTickFailureLogNanos == 0) {
            lastTickFailureLogNanos = now;
            log.error("event=tick_failed tick={} meeting={}", tick, room.meetingId(), e);
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
            log.warn("event=sfu_close_error error={}", e.toString());
        }
        if (tcp != null) {
            tcp.close();
        }
        socket.close();
        negotiation.shutdown();
        log.info("event=sfu_stopped node={}", config.nodeId());
    }

    private final class Context implements RoomContext {
        private final Allocator allocator = new ResolutionAllocator();
        /** 64 spare at least: a key frame's packets to a few subscribers within one 20 ms tick. */
        private final PacketArrays arrays = new PacketArrays(RetransmissionBuffer.Settings.defaults().maxPacketSize(), 64);

        @Override
        public PacketArrays packetArrays() {
            return arrays;
        }

        @Override
        public WebRtcTransport newTransport(String name, WebRtcTransport.Listener listener) {
            return new WebRtcTransport(name, demux, socket.loop(), certificate, counters, config.consentTimeout(),
                    listener);
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
            return counters;
        }

        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public SfuMetrics metrics() {
            return metrics;
        }

        @Override
        public LocalNtpClock ntpClock() {
            return ntpClock;

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
            return sdpSessionId;
        }

        @Override
        public java.util.concurrent.Executor negotiation() {
            return negotiation;
        }

        @Override
        public long estimatedUplinkBps() {
            return config.estimatedUplinkBps();
        }

        @Override
        public Allocator allocator() {
            return allocator;
        }

        @Override
        public int defaultLastN() {
            return config.defaultLastN();
        }

        @Override
        public void onParticipantClosed(Room room) {
            if (room.isEmpty() && rooms.remove(room.meetingId(), room)) {
                roomArray = rooms.values().toArray(new Room[0]);
            }
        }
    }
}
