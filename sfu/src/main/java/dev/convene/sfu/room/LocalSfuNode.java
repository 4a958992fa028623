package dev.convene.sfu.room;

import dev.convene.media.routing.rtcp.LocalNtpClock;
import dev.convene.media.routing.simulcast.ResolutionAllocator;
import dev.convene.media.transport.dtls.DtlsCertificate;
import dev.convene.media.transport.dtls.DtlsWarmUp;
import dev.convene.sfu.ParticipantListener;
import dev.convene.sfu.ParticipantSession;
import dev.convene.sfu.SfuConfig;
import dev.convene.sfu.SfuNode;
import dev.convene.sfu.metrics.SfuMetrics;
import dev.convene.sfu.negotiation.HostCandidate;
import dev.convene.sfu.net.LocalAddresses;
import dev.convene.sfu.net.MediaCounters;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An SFU node in this process: its media loops (one by default; ADR 0036), each with its own UDP
 * media port, event loop and rooms, and the placement of meetings on them. A meeting lives on one
 * loop, chosen at its first join (the loop with the fewest participants), so everything of a
 * meeting is confined to one thread. Signaling reaches the node through {@link SfuNode};
 * everything else happens on the loops.
 */
public final class LocalSfuNode implements SfuNode, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LocalSfuNode.class);

    private final SfuConfig config;
    private final MediaCounters counters = new MediaCounters();
    private final SfuMetrics metrics;
    private final DtlsCertificate certificate;
    /**
     * Writes subscriber offers (RoomContext.negotiation): one platform thread, so offers leave in
     * the order they were made, and neither the loops nor the virtual threads' carriers (DTLS
     * handshakes) spend their time on SDP text.
     */
    private final ExecutorService negotiation = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("convene-sdp-offers").daemon().factory());
    /** The loop each meeting with a room (or a join on its way) lives on. */
    private final ConcurrentMap<String, MediaLoop> placement = new ConcurrentHashMap<>();
    private final MediaLoop[] loops;

    private LocalSfuNode(SfuConfig config, MeterRegistry registry) throws InterruptedException {
        this.config = config;
        this.metrics = new SfuMetrics(registry, counters);
        this.certificate = DtlsCertificate.generate();
        InetAddress host = config.bind().getAddress();
        List<InetAddress> local = host.isAnyLocalAddress() ? LocalAddresses.ofThisHost() : List.of(host);
        if (local.isEmpty()) {
            throw new IllegalStateException("this host has no address to receive media on");
        }
        MediaLoop.Shared shared = new MediaLoop.Shared(config, counters, metrics, LocalNtpClock.system(), certificate,
                negotiation, new SecureRandom().nextLong() & Long.MAX_VALUE, new ResolutionAllocator(), placement);
        List<MediaLoop> started = new ArrayList<>();
        try {
            for (int i = 0; i < config.mediaLoops(); i++) {
                started.add(new MediaLoop(i, shared, host, local, config.udpPortOfLoop(i), config.tcpPortOfLoop(i)));
            }
        } catch (RuntimeException | InterruptedException e) {
            started.forEach(MediaLoop::close);
            negotiation.shutdown();
            throw e;
        }
        this.loops = started.toArray(MediaLoop[]::new);
        for (MediaLoop loop : loops) {
            // What placement balances, per loop: a skew shows meetings of very different sizes.
            Gauge.builder("convene.sfu.loop.participants", loop, MediaLoop::participants)
                    .tag("loop", Integer.toString(loop.index()))
                    .description("Participants in the rooms of each media loop (ADR 0036)").register(registry);
        }
    }

    public static LocalSfuNode start(SfuConfig config) throws InterruptedException {
        return start(config, new SimpleMeterRegistry());
    }

    /** Starts a node that records its media metrics ({@link SfuMetrics}) in {@code registry}. */
    public static LocalSfuNode start(SfuConfig config, MeterRegistry registry) throws InterruptedException {
        LocalSfuNode node = new LocalSfuNode(config, registry);
        for (MediaLoop loop : node.loops) {
            log.info("event=sfu_started node={} media_loop={} media_loops={} media_port={} ice_tcp_port={} candidates={} "
                            + "consent_timeout_s={}",
                    config.nodeId(), loop.index(), node.loops.length, loop.udpPort(),
                    loop.tcpPort() == 0 ? "off" : loop.tcpPort(),
                    loop.candidates().stream().map(c -> c.transport() + ":" + c.address()).toList(),
                    config.consentTimeout().toSeconds());
        }
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

    /**
     * The candidates the transports of loop 0 announce, most preferred first: the node's
     * advertised media address. A meeting on another loop announces that loop's ports
     * ({@link #candidates(int)}).
     */
    public List<HostCandidate> candidates() {
        return loops[0].candidates();
    }

    /** The candidates of media loop {@code loop}'s transports. */
    public List<HostCandidate> candidates(int loop) {
        return loops[loop].candidates();
    }

    @Override
    public String nodeId() {
        return config.nodeId();
    }

    /** Loop 0's UDP port: the node's advertised media port, which the signaling nodes' health probe reaches. */
    public int mediaPort() {
        return loops[0].udpPort();
    }

    /** Each media loop's UDP port, by loop index. */
    public List<Integer> mediaPorts() {
        return Arrays.stream(loops).map(MediaLoop::udpPort).toList();
    }

    /** How many media loops the node runs. */
    public int mediaLoopCount() {
        return loops.length;
    }

    /** The ICE-TCP port of loop 0, or 0 when ICE-TCP is off. */
    public int tcpPort() {
        return loops[0].tcpPort();
    }

    /** Open ICE-TCP connections on every loop (0 when ICE-TCP is off). */
    public int tcpConnectionCount() {
        int n = 0;
        for (MediaLoop loop : loops) {
            n += loop.tcpConnectionCount();
        }
        return n;
    }

    /** Loop 0's thread (the only loop by default), for tests that measure what it allocates. */
    public long loopThreadId() {
        return loops[0].threadId();
    }

    /** Each media loop's thread id, by loop index. */
    public List<Long> loopThreadIds() {
        return Arrays.stream(loops).map(MediaLoop::threadId).toList();
    }

    /** The index of the loop {@code meetingId} lives on, if it has a room on this node. */
    public Optional<Integer> loopOf(String meetingId) {
        MediaLoop loop = placement.get(meetingId);
        return loop == null ? Optional.empty() : Optional.of(loop.index());
    }

    /** Participants on each media loop, by loop index: what placement balances. */
    public List<Integer> participantsPerLoop() {
        return Arrays.stream(loops).map(MediaLoop::participants).toList();
    }

    public MediaCounters counters() {
        return counters;
    }

    public SfuMetrics metrics() {
        return metrics;
    }

    @Override
    public ParticipantSession join(String meetingId, String participantId, ParticipantListener listener) {
        while (true) {
            MediaLoop loop = placement.computeIfAbsent(meetingId, id -> place());
            ParticipantSession session = loop.join(meetingId, participantId, listener);
            if (session != null) {
                return session;
            }
            // The meeting's room emptied and was removed on its loop meanwhile: place it anew.
        }
    }

    /**
     * The loop a meeting's first join puts it on: the fewest participants, then the fewest
     * meetings (rooms still being made count), then the lowest index. A count read a moment
     * stale only makes the balance a little less even; a meeting never spans loops.
     */
    private MediaLoop place() {
        MediaLoop best = loops[0];
        for (int i = 1; i < loops.length; i++) {
            MediaLoop candidate = loops[i];
            int byParticipants = Integer.compare(candidate.participants(), best.participants());
            if (byParticipants < 0 || byParticipants == 0 && candidate.placedMeetings.get() < best.placedMeetings.get()) {
                best = candidate;
            }
        }
        best.placedMeetings.incrementAndGet();
        return best;
    }

    /**
     * The packet path's stage counters, summed over the streams on this node now (streams that
     * ended take theirs along): {@code inbound.<stage>.<counter>} for published tracks,
     * {@code outbound.<stage>.<counter>} for subscriber legs. Read on each loop.
     */
    public Map<String, Long> stageCounters() {
        Map<String, Long> sums = new TreeMap<>();
        for (MediaLoop loop : loops) {
            loop.addStageCounters(sums);
        }
        return sums;
    }

    /** Participants in rooms of this node, for load reporting and tests. */
    public int participantCount() {
        int n = 0;
        for (MediaLoop loop : loops) {
            n += loop.countParticipants();
        }
        return n;
    }

    /**
     * Ids of the meetings with participants on this node now (detached sessions under their lease
     * count): what the node reports in its registry heartbeat, so placement can be recovered from
     * the fleet when the shared store lost it. Read on each loop.
     */
    public List<String> meetingIds() {
        List<String> ids = new ArrayList<>();
        for (MediaLoop loop : loops) {
            ids.addAll(loop.meetingIds());
        }
        return ids.stream().sorted().toList();
    }

    /**
     * Bytes loop 0 allocated in its periodic tasks (reports, feedback, layer allocation,
     * speakers), so that a test can tell them from what the packet path allocates: they are
     * work per tick, not per packet (ADR 0027). 0 where the JVM does not count allocation.
     */
    public long timerAllocatedBytes() {
        return loops[0].timerAllocatedBytes();
    }

    /**
     * Bytes of packet arrays loop 0's pool allocated ahead of demand (part of
     * {@link #timerAllocatedBytes()}): growth to a new high of packets held, kept for reuse, not
     * garbage. Published by each tick (reading it costs the loop nothing), for tests.
     */
    public long packetArraysGrowthBytes() {
        return loops[0].packetArraysGrowthBytes();
    }

    /** Whether the media ports read and write through their own {@code recvmmsg}/{@code sendmmsg} (ADR 0027). */
    public boolean batchedNativeIo() {
        return loops[0].batchedNativeIo();
    }

    /**
     * Bytes loop 0 allocated answering STUN (consent checks every few seconds per transport:
     * parsing, MESSAGE-INTEGRITY, the response), which is work per check, not per packet.
     */
    public long stunAllocatedBytes() {
        return loops[0].stunAllocatedBytes();
    }

    @Override
    public void close() {
        for (MediaLoop loop : loops) {
            loop.close();
        }
        negotiation.shutdown();
        log.info("event=sfu_stopped node={}", config.nodeId());
    }
}
