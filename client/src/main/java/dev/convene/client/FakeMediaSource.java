package dev.convene.client;

import dev.convene.media.core.rtcp.RtcpSenderReport;
import dev.convene.media.routing.rtcp.LocalNtpClock;
import java.time.Duration;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Media that looks real enough to an SFU: Opus-like audio, 20 ms packets with 48 kHz timestamps,
 * and VP8 video at about 30 frames a second (RFC 7741 payload descriptor with a 15-bit
 * PictureID, a keyframe header with start code and 640×360, interframes otherwise), each on its
 * own SSRC. A keyframe goes out every {@link #KEYFRAME_INTERVAL} and at once when
 * {@link #requestKeyframe()} is called (a PLI or FIR arrived). The payload bytes are filler: no
 * decoder would accept them, no SFU needs to. The last 8 bytes of each RTP packet carry the
 * {@code System.nanoTime()} of its send ({@link SendStamp}), for one-way latency on one machine.
 *
 * <p>Like a real sender it sends an RTCP sender report per stream every
 * {@link #SENDER_REPORT_INTERVAL} (RFC 3550 §6.4.1), both from one NTP clock, each with the RTP
 * time of its stream at that instant: audio and video timestamps are both taken from one media
 * clock (audio packet n is the 20 ms of sound captured at start + n × 20 ms), so a receiver can
 * line them up.
 *
 * <p>Runs on its own scheduler thread, or on one shared with other sources
 * ({@link ClientResources#shared}), from {@link #start} until {@link #close()}.
 */
public final class FakeMediaSource implements AutoCloseable {

    /** Where packets go: a transport's {@code sendRtp}. */
    @FunctionalInterface
    public interface RtpSink {
        boolean send(byte[] buf, int off, int len);
    }

    public static final Duration AUDIO_PACKET_INTERVAL = Duration.ofMillis(20);
    public static final Duration VIDEO_FRAME_INTERVAL = Duration.ofMillis(33);
    public static final Duration KEYFRAME_INTERVAL = Duration.ofSeconds(2);
    public static final Duration SENDER_REPORT_INTERVAL = Duration.ofSeconds(1);
    /** The picture size a source says in its key frames unless given another. */
    public static final int WIDTH = 640;
    public static final int HEIGHT = 360;

    private static final int RTP_HEADER = 12;
    private static final int AUDIO_PAYLOAD = 80;
    /** The id the publisher offer gives the audio level extension. */
    public static final int AUDIO_LEVEL_EXTENSION_ID = 1;
    static final int AUDIO_LEVEL_SILENCE = 127;
    private static final int KEYFRAME_BYTES = 2200;
    private static final int INTERFRAME_BYTES = 700;
    private static final int MAX_PACKET_PAYLOAD = 1100;
    private static final int VP8_DESCRIPTOR = 4;
    /** Long enough that the stamp in the last 8 bytes never covers a VP8 key frame header (10 bytes after the descriptor). */
    private static final int MIN_STAMPED_PACKET = RTP_HEADER + VP8_DESCRIPTOR + 10 + SendStamp.LENGTH;
    /** Fewer keyframes than this apart are not worth it: one answers a burst of requests. */
    private static final long MIN_KEYFRAME_SPACING_NANOS = 50_000_000L;
    /** Media starts this long after {@link #start}, time enough for the scheduler thread to come up. */
    private static final long START_DELAY_NANOS = 20_000_000L;

    private static final Logger log = LoggerFactory.getLogger(FakeMediaSource.class);

    private final RtpSink sink;
    private final RtpSink rtcpSink;
    private final LocalNtpClock ntpClock = LocalNtpClock.system();
    private final byte[] rtcp = new byte[2 * RtcpSenderReport.length(0) + 64];
    private final long audioSsrc;
    private final long videoSsrc;
    private final int width;
    private final int height;
    /** Frame sizes scale with the picture's area, as an encoder's do, so simulcast layers differ in bitrate too. */
    private final int keyframeBytes;
    private final int interframeBytes;
    private final ScheduledExecutorService scheduler;
    /** Whether {@link #scheduler} is ours to shut down, or shared with other sources ({@link ClientResources}). */
    private final boolean ownScheduler;
    private final long videoFrameIntervalNanos;
    private final boolean dtx;
    private final java.util.List<java.util.concurrent.ScheduledFuture<?>> tasks = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final byte[] packet = new byte[RTP_HEADER + VP8_DESCRIPTOR + MAX_PACKET_PAYLOAD];

    // Confined to the scheduler thread.
    private int audioPayloadType = -1;
    private int videoPayloadType = -1;
    private int audioSequence;
    private int videoSequence;
    private long audioTimestamp;
    private long audioTimestampBase;
    private long audioOctets;
    private long videoOctets;
    private long videoTimestampBase;
    private int pictureId;
    private long startNanos;
    private long lastKeyframeNanos = Long.MIN_VALUE / 2;
    /** Silent audio packets not sent since the last one sent (DTX). */
    private int dtxSkipped;
    /** RFC 6464 level stamped on each audio packet, in -dBov (0 loudest, 127 silence). */
    private volatile int audioLevel = AUDIO_LEVEL_SILENCE;
    /** Dynacast: the SFU asked for no video from this source. */
    private volatile boolean videoPaused;

    private final LongAdder audioPackets = new LongAdder();
    private final LongAdder videoPackets = new LongAdder();
    private final LongAdder videoBytes = new LongAdder();
    private final LongAdder videoFrames = new LongAdder();
    private final LongAdder keyframes = new LongAdder();
    private final LongAdder keyframeRequests = new LongAdder();
    private final LongAdder sendFailures = new LongAdder();
    private final LongAdder senderReports = new LongAdder();

    /** A source that sends RTP only, no sender reports. */
    public FakeMediaSource(RtpSink sink, long audioSsrc, long videoSsrc) {
        this(sink, null, audioSsrc, videoSsrc);
    }

    /** @param rtcpSink where sender reports go (a transport's {@code sendRtcp}); null sends none */
    public FakeMediaSource(RtpSink sink, RtpSink rtcpSink, long audioSsrc, long videoSsrc) {
        this(sink, rtcpSink, audioSsrc, videoSsrc, WIDTH, HEIGHT);
    }

    /**
     * A source whose key frames say {@code width}×{@code height} (one simulcast layer), with
     * frames sized in proportion to its area (640×360 sends the default sizes).
     */
    public FakeMediaSource(RtpSink sink, RtpSink rtcpSink, long audioSsrc, long videoSsrc, int width, int height) {
        this(sink, rtcpSink, audioSsrc, videoSsrc, width, height, ClientResources.DEDICATED);
    }

    /**
     * As {@link #FakeMediaSource(RtpSink, RtpSink, long, long, int, int)}, on the scheduler and with the
     * frame rate and DTX of {@code resources}: with DTX, a silent microphone sends one packet every
     * 400 ms (sequence numbers continue, timestamps jump), as Opus DTX does.
     */
    public FakeMediaSource(RtpSink sink, RtpSink rtcpSink, long audioSsrc, long videoSsrc, int width, int height,
            ClientResources resources) {
        this.videoFrameIntervalNanos = resources.videoFrameInterval().toNanos();
        this.dtx = resources.dtx();
        this.width = width;
        this.height = height;
        double area = (double) width * height / (WIDTH * HEIGHT);
        this.keyframeBytes = Math.max(200, (int) (KEYFRAME_BYTES * area));
        this.interframeBytes = Math.max(100, (int) (INTERFRAME_BYTES * area));
        this.sink = Objects.requireNonNull(sink, "sink");
        this.rtcpSink = rtcpSink;
        this.audioSsrc = audioSsrc;
        this.videoSsrc = videoSsrc;
        Random random = new Random(audioSsrc ^ videoSsrc);
        this.audioSequence = random.nextInt(0x10000);
        this.videoSequence = random.nextInt(0x10000);
        this.audioTimestampBase = random.nextInt() & 0xFFFF_FFFFL;
        this.audioTimestamp = audioTimestampBase;
        this.videoTimestampBase = random.nextInt() & 0xFFFF_FFFFL;
        this.pictureId = random.nextInt(0x8000);
        ScheduledExecutorService shared = resources.mediaScheduler();
        this.ownScheduler = shared == null;
        this.scheduler = shared != null ? shared : Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "convene-fake-media-" + Long.toHexString(videoSsrc));
            t.setDaemon(true);
            return t;
        });
    }

    public long audioSsrc() {
        return audioSsrc;
    }

    public long videoSsrc() {
        return videoSsrc;
    }

    /**
     * Starts sending with the payload types the SFU's answer accepted; -1 leaves a kind out.
     * Call once.
     */
    public void start(int audioPt, int videoPt) {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("started already");
        }
        // One media clock for both kinds, starting a little ahead: every task is scheduled
        // against it (fixed rate from that instant), so audio packet n is due exactly at
        // start + n × 20 ms however long the scheduler thread takes to come up.
        long start = System.nanoTime() + START_DELAY_NANOS;
        scheduler.execute(() -> {
            audioPayloadType = audioPt;
            videoPayloadType = videoPt;
            startNanos = start;
        });
        if (audioPt >= 0) {
            long period = AUDIO_PACKET_INTERVAL.toNanos();
            tasks.add(scheduler.scheduleAtFixedRate(guarded(this::sendAudioPacket), start - System.nanoTime(), period,
                    TimeUnit.NANOSECONDS));
        }
        if (videoPt >= 0) {
            long period = videoFrameIntervalNanos;
            tasks.add(scheduler.scheduleAtFixedRate(guarded(this::sendScheduledVideoFrame), start - System.nanoTime(), period,
                    TimeUnit.NANOSECONDS));
        }
        if (rtcpSink != null && (audioPt >= 0 || videoPt >= 0)) {
            long period = SENDER_REPORT_INTERVAL.toNanos();
            tasks.add(scheduler.scheduleAtFixedRate(guarded(this::sendSenderReports), start - System.nanoTime() + period / 2,
                    period, TimeUnit.NANOSECONDS));
        }
    }

    /** Sends a keyframe now (on the source's thread), as a real encoder does on PLI or FIR. */
    public void requestKeyframe() {
        keyframeRequests.increment();
        if (closed.get() || !started.get()) {
            return;
        }
        try {
            scheduler.execute(() -> {
                if (videoPayloadType >= 0 && !videoPaused && System.nanoTime() - lastKeyframeNanos >= MIN_KEYFRAME_SPACING_NANOS) {
                    sendVideoFrame(true);
                }
            });
        } catch (RejectedExecutionException e) {
            // Closed meanwhile.
        }
    }

    /**
     * The level of the "sound" from now on, in dBov (0 the loudest, -127 silence; positive
     * values count as their negation), stamped on every audio packet with the RFC 6464
     * extension (id {@value #AUDIO_LEVEL_EXTENSION_ID}).
     */
    public void setAudioLevel(int dBov) {
        audioLevel = Math.min(AUDIO_LEVEL_SILENCE, Math.abs(dBov));
    }

    public int audioLevel() {
        return -audioLevel;
    }

    /**
     * Stops or resumes the video, as an encoder whose encoding the SFU switched off (the
     * {@code layers} message); resuming starts with a key frame, as Chrome's encoder does.
     */
    public void setVideoPaused(boolean paused) {
        boolean was = videoPaused;
        videoPaused = paused;
        if (was && !paused) {
            requestKeyframe();
        }
    }

    public boolean videoPaused() {
        return videoPaused;
    }

    public long audioPacketsSent() {
        return audioPackets.sum();
    }

    /** RTP payload bytes of video sent (descriptors included). */
    public long videoBytesSent() {
        return videoBytes.sum();
    }

    public int width() {
        return width;
    }

    public long videoPacketsSent() {
        return videoPackets.sum();
    }

    public long videoFramesSent() {
        return videoFrames.sum();
    }

    public long keyframesSent() {
        return keyframes.sum();
    }

    public long keyframeRequestsReceived() {
        return keyframeRequests.sum();
    }

    public long senderReportsSent() {
        return senderReports.sum();
    }

    /** Packets the sink refused (not connected yet, or closed). */
    public long sendFailures() {
        return sendFailures.sum();
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            if (!ownScheduler) {
                // Other sources run on it: stop only ours (a task already running sees closed and sends nothing).
                tasks.forEach(t -> t.cancel(false));
                return;
            }
            scheduler.shutdownNow();
            try {
                scheduler.awaitTermination(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ---- on the scheduler thread ----

    /** A periodic task that throws stops for good; log it and carry on instead. */
    private static Runnable guarded(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                log.warn("event=fake_media_task_failed error={}", e.toString());
            }
        };
    }

    private void sendAudioPacket() {
        if (dtx && audioLevel >= AUDIO_LEVEL_SILENCE && dtxSkipped++ % ClientResources.DTX_PACKET_SPACING != 0) {
            audioTimestamp = (audioTimestamp + 960) & 0xFFFF_FFFFL;
            return;
        }
        if (audioLevel < AUDIO_LEVEL_SILENCE) {
            dtxSkipped = 0;
        }
        int len = writeHeader(packet, audioPayloadType, false, audioSequence, audioTimestamp, audioSsrc);
        // RFC 8285 one-byte header with the RFC 6464 element: |id=1 len=0| V level | two bytes padding.
        packet[0] |= 0x10;
        packet[len] = (byte) 0xBE;
        packet[len + 1] = (byte) 0xDE;
        packet[len + 2] = 0;
        packet[len + 3] = 1;
        int level = audioLevel;
        packet[len + 4] = (byte) (AUDIO_LEVEL_EXTENSION_ID << 4);
        packet[len + 5] = (byte) ((level < AUDIO_LEVEL_SILENCE ? 0x80 : 0) | level);
        packet[len + 6] = 0;
        packet[len + 7] = 0;
        len += 8;
        packet[len] = (byte) 0x78; // Opus TOC: config 15 (hybrid, fullband, 20 ms), mono, one frame
        for (int i = 1; i < AUDIO_PAYLOAD; i++) {
            packet[len + i] = (byte) (audioSequence * 31 + i);
        }
        if (send(packet, len + AUDIO_PAYLOAD)) {
            audioPackets.increment();
            audioOctets += AUDIO_PAYLOAD;
        }
        audioSequence = (audioSequence + 1) & 0xFFFF;
        audioTimestamp = (audioTimestamp + 960) & 0xFFFF_FFFFL;
    }

    private void sendScheduledVideoFrame() {
        if (videoPaused) {
            return;
        }
        boolean keyframe = System.nanoTime() - lastKeyframeNanos >= KEYFRAME_INTERVAL.toNanos();
        sendVideoFrame(keyframe);
    }

    private void sendVideoFrame(boolean keyframe) {
        long now = System.nanoTime();
        long timestamp = mediaTimestamp(videoTimestampBase, 90_000, now);
        int frameBytes = keyframe ? keyframeBytes : interframeBytes;
        int offset = 0;
        boolean first = true;
        while (offset < frameBytes) {
            int chunk = Math.min(MAX_PACKET_PAYLOAD, frameBytes - offset);
            boolean last = offset + chunk == frameBytes;
            int p = writeHeader(packet, videoPayloadType, last, videoSequence, timestamp, videoSsrc);
            // RFC 7741 §4.2: X=1, S on the first packet, PID 0; I=1 with a 15-bit PictureID (M=1).
            packet[p++] = (byte) (first ? 0x90 : 0x80);
            packet[p++] = (byte) 0x80;
            packet[p++] = (byte) (0x80 | (pictureId >>> 8));
            packet[p++] = (byte) pictureId;
            int payloadStart = p;
            for (int i = 0; i < chunk; i++) {
                packet[p + i] = (byte) (pictureId + offset + i);
            }
            if (first) {
                writeVp8FrameHeader(packet, payloadStart, keyframe, width, height);
            }
            if (send(packet, p + chunk)) {
                videoPackets.increment();
                videoBytes.add(p + chunk - RTP_HEADER);
                videoOctets += p + chunk - RTP_HEADER;
            }
            videoSequence = (videoSequence + 1) & 0xFFFF;
            offset += chunk;
            first = false;
        }
        videoFrames.increment();
        if (keyframe) {
            keyframes.increment();
            lastKeyframeNanos = now;
        }
        pictureId = (pictureId + 1) & 0x7FFF;
    }

    /** The RTP time of a stream at monotonic time {@code nanos} on the source's one media clock. */
    private long mediaTimestamp(long base, int clockRate, long nanos) {
        return (base + (nanos - startNanos) * clockRate / 1_000_000_000L) & 0xFFFF_FFFFL;
    }

    /** One compound packet: an SR per stream, all from one NTP reading (RFC 3550 §6.4.1). */
    private void sendSenderReports() {
        if (closed.get()) {
            return;
        }
        long now = System.nanoTime();
        long ntp = ntpClock.ntp(now);
        int len = 0;
        if (audioPayloadType >= 0 && audioPackets.sum() > 0) {
            len += RtcpSenderReport.write(rtcp, len, audioSsrc, ntp, mediaTimestamp(audioTimestampBase, 48_000, now),
                    audioPackets.sum() & 0xFFFF_FFFFL, audioOctets & 0xFFFF_FFFFL);
        }
        if (videoPayloadType >= 0 && videoPackets.sum() > 0) {
            len += RtcpSenderReport.write(rtcp, len, videoSsrc, ntp, mediaTimestamp(videoTimestampBase, 90_000, now),
                    videoPackets.sum() & 0xFFFF_FFFFL, videoOctets & 0xFFFF_FFFFL);
        }
        if (len > 0 && rtcpSink.send(rtcp, 0, len)) {
            senderReports.increment();
        }
    }

    /**
     * RFC 6386 §9.1: a 3-byte frame tag (bit 0 is P, 0 for a key frame; show_frame; the first
     * partition's size), then for a key frame the start code 9d 01 2a and 14-bit width and height.
     */
    private static void writeVp8FrameHeader(byte[] buf, int at, boolean keyframe, int width, int height) {
        int firstPartitionSize = 100;
        int tag = (firstPartitionSize << 5) | 0x10 | (keyframe ? 0 : 1);
        buf[at] = (byte) tag;
        buf[at + 1] = (byte) (tag >>> 8);
        buf[at + 2] = (byte) (tag >>> 16);
        if (keyframe) {
            buf[at + 3] = (byte) 0x9d;
            buf[at + 4] = (byte) 0x01;
            buf[at + 5] = (byte) 0x2a;
            buf[at + 6] = (byte) width;
            buf[at + 7] = (byte) (width >>> 8);
            buf[at + 8] = (byte) height;
            buf[at + 9] = (byte) (height >>> 8);
        }
    }

    private static int writeHeader(byte[] buf, int payloadType, boolean marker, int sequence, long timestamp, long ssrc) {
        buf[0] = (byte) 0x80;
        buf[1] = (byte) ((marker ? 0x80 : 0) | (payloadType & 0x7F));
        buf[2] = (byte) (sequence >>> 8);
        buf[3] = (byte) sequence;
        buf[4] = (byte) (timestamp >>> 24);
        buf[5] = (byte) (timestamp >>> 16);
        buf[6] = (byte) (timestamp >>> 8);
        buf[7] = (byte) timestamp;
        buf[8] = (byte) (ssrc >>> 24);
        buf[9] = (byte) (ssrc >>> 16);
        buf[10] = (byte) (ssrc >>> 8);
        buf[11] = (byte) ssrc;
        return RTP_HEADER;
    }

    private boolean send(byte[] buf, int len) {
        if (closed.get()) {
            return false;
        }
        if (len >= MIN_STAMPED_PACKET) {
            // Filler bytes anyway: the send instant lets a receiver on this machine measure one-way latency.
            SendStamp.write(buf, len, System.nanoTime());
        }
        boolean sent = sink.send(buf, 0, len);
        if (!sent) {
            sendFailures.increment();
        }
        return sent;
    }
}
