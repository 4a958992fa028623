package dev.convene.client;

import dev.convene.media.transport.dtls.DtlsCertificate;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the clients of one JVM may share, and how their fake media paces itself. A lone client
 * (a test, a bot) uses {@link #DEDICATED}: a scheduler thread per {@link FakeMediaSource}, a key
 * pair per client (kept across migrations), about 30 frames a second. A load tool running a hundred clients beside the
 * server on two cores cannot afford 300 scheduler threads each waking 80 times a second and 200
 * EC key pairs (ADR 0023): it gives every client one {@link #shared} instance — a few scheduler
 * threads that all sources are spread over (each source stays on one thread, so its state needs
 * no lock), one DTLS certificate (the SFU checks each transport's fingerprint against its own
 * SDP, so sharing one is fine), and optionally fewer frames and Opus-DTX-like silence.
 */
public final class ClientResources implements AutoCloseable {

    /** One packet in this many while silent, as Opus DTX sends a comfort-noise frame every 400 ms. */
    static final int DTX_PACKET_SPACING = 20;

    /** Nothing shared, 30 frames a second, audio sent every 20 ms whatever its level. */
    public static final ClientResources DEDICATED = new ClientResources(new ScheduledExecutorService[0],
            new ReceiveLoop[0], null, FakeMediaSource.VIDEO_FRAME_INTERVAL, false);

    private final ScheduledExecutorService[] schedulers;
    private final ReceiveLoop[] receiveLoops;
    private final DtlsCertificate certificate;
    private final Duration videoFrameInterval;
    private final boolean dtx;
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicInteger nextReceiveLoop = new AtomicInteger();

    private ClientResources(ScheduledExecutorService[] schedulers, ReceiveLoop[] receiveLoops, DtlsCertificate certificate,
            Duration videoFrameInterval, boolean dtx) {
        if (videoFrameInterval.isNegative() || videoFrameInterval.isZero()) {
            throw new IllegalArgumentException("the video frame interval must be positive: " + videoFrameInterval);
        }
        this.schedulers = schedulers;
        this.receiveLoops = receiveLoops;
        this.certificate = certificate;
        this.videoFrameInterval = videoFrameInterval;
        this.dtx = dtx;
    }

    /**
     * Resources for many clients: {@code mediaThreads} scheduler threads for all fake sources, as
     * many {@link ReceiveLoop} threads reading all transports' sockets, one certificate for all transports, a video frame every {@code videoFrameInterval}, and with
     * {@code dtx} a silent microphone (level −127) sends one packet every 400 ms instead of 50 a second.
     * Close it after the clients.
     */
    public static ClientResources shared(int mediaThreads, Duration videoFrameInterval, boolean dtx) {
        if (mediaThreads < 1) {
            throw new IllegalArgumentException("at least one media thread: " + mediaThreads);
        }
        ScheduledExecutorService[] pool = new ScheduledExecutorService[mediaThreads];
        for (int i = 0; i < mediaThreads; i++) {
            String name = "convene-client-media-" + i;
            ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(1, r -> {
                Thread t = new Thread(r, name);
                t.setDaemon(true);
                return t;
            });
            // Sources come and go (and cancel their tasks); cancelled tasks must not pile up in the queue.
            s.setRemoveOnCancelPolicy(true);
            pool[i] = s;
        }
        ReceiveLoop[] receive = new ReceiveLoop[mediaThreads];
        for (int i = 0; i < mediaThreads; i++) {
            receive[i] = new ReceiveLoop("convene-client-receive-" + i);
        }
        return new ClientResources(pool, receive, DtlsCertificate.generate(), videoFrameInterval, dtx);
    }

    /** The scheduler a new source runs on, round robin; null: the source makes its own. */
    ScheduledExecutorService mediaScheduler() {
        return schedulers.length == 0 ? null : schedulers[Math.floorMod(next.getAndIncrement(), schedulers.length)];
    }

    /** The loop that reads a new transport's socket, round robin; null: the transport reads it on a thread of its own. */
    ReceiveLoop receiveLoop() {
        return receiveLoops.length == 0 ? null
                : receiveLoops[Math.floorMod(nextReceiveLoop.getAndIncrement(), receiveLoops.length)];
    }

    /** The certificate of a new client: the shared one, or a fresh one. */
    DtlsCertificate certificate() {
        return certificate != null ? certificate : DtlsCertificate.generate();
    }

    public Duration videoFrameInterval() {
        return videoFrameInterval;
    }

    public boolean dtx() {
        return dtx;
    }

    /** Stops the shared scheduler threads (the sources on them stop sending) and the receive loops. */
    @Override
    public void close() {
        for (ScheduledExecutorService s : schedulers) {
            s.shutdownNow();
        }
        for (ReceiveLoop r : receiveLoops) {
            r.close();
        }
    }
}
