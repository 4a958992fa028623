package dev.convene.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Real VP8 video for receivers that decode (a browser): the frames of an IVF file, looped, sent
 * as RTP with the RFC 7741 payload descriptor (15-bit PictureID), split into packets of at most
 * {@link #MAX_PAYLOAD} bytes, the marker on each frame's last. A key frame request restarts the
 * file, whose first frame is a key frame. Runs on its own scheduler thread from {@link #start}
 * until {@link #close}.
 */
public final class Vp8FileSource implements AutoCloseable {

    static final int MAX_PAYLOAD = 1100;
    private static final int DESCRIPTOR = 4;

    private final List<byte[]> frames;
    private final int frameIntervalMillis;
    private final int timestampStep;
    private final int width;
    private final FakeMediaSource.RtpSink sink;
    private final long ssrc;
    private final ScheduledExecutorService scheduler;
    private final byte[] packet = new byte[12 + DESCRIPTOR + MAX_PAYLOAD];
    private volatile boolean keyframeRequested;
    private int payloadType;
    private int next;
    private int sequence = ThreadLocalRandom.current().nextInt(0x10000);
    private long timestamp = ThreadLocalRandom.current().nextInt() & 0xFFFFFFFFL;
    private int pictureId = ThreadLocalRandom.current().nextInt(0x8000);
    private volatile long framesSent;

    /** Reads an IVF file (32-byte header, then per frame a 12-byte header and the frame) of VP8. */
    public Vp8FileSource(InputStream ivf, FakeMediaSource.RtpSink sink, long ssrc) {
        this.sink = sink;
        this.ssrc = ssrc;
        try {
            ByteBuffer file = ByteBuffer.wrap(ivf.readAllBytes()).order(ByteOrder.LITTLE_ENDIAN);
            if (file.remaining() < 32 || file.getInt(0) != 0x46494B44 || file.getInt(8) != 0x30385056) {
                throw new IllegalArgumentException("not an IVF file of VP8");
            }
            width = file.getShort(12) & 0xFFFF;
            int rate = file.getInt(16);
            int scale = file.getInt(20);
            frameIntervalMillis = Math.max(1, 1000 * scale / Math.max(1, rate));
            timestampStep = 90_000 * scale / Math.max(1, rate);
            file.position(file.getShort(6) & 0xFFFF);
            List<byte[]> read = new ArrayList<>();
            while (file.remaining() >= 12) {
                int size = file.getInt();
                file.getLong();
                if (size <= 0 || size > file.remaining()) {
                    break;
                }
                byte[] frame = new byte[size];
                file.get(frame);
                read.add(frame);
            }
            if (read.isEmpty() || (read.getFirst()[0] & 1) != 0) {
                throw new IllegalArgumentException("the IVF file must start with a VP8 key frame");
            }
            frames = List.copyOf(read);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "convene-vp8-file");
            t.setDaemon(true);
            return t;
        });
    }

    /** The frame width the file's header gives. */
    public int width() {
        return width;
    }

    public long framesSent() {
        return framesSent;
    }

    public void start(int vp8PayloadType) {
        this.payloadType = vp8PayloadType;
        scheduler.scheduleAtFixedRate(this::sendFrame, 0, frameIntervalMillis, TimeUnit.MILLISECONDS);
    }

    public void requestKeyframe() {
        keyframeRequested = true;
    }

    private void sendFrame() {
        try {
            sendNextFrame();
        } catch (RuntimeException e) {
            // A failed send must not cancel the schedule; the next frame goes out as usual.
        }
    }

    private void sendNextFrame() {
        if (keyframeRequested) {
            keyframeRequested = false;
            next = 0;
        }
        byte[] frame = frames.get(next);
        next = (next + 1) % frames.size();
        for (int off = 0; off < frame.length; off += MAX_PAYLOAD) {
            int len = Math.min(MAX_PAYLOAD, frame.length - off);
            boolean last = off + len == frame.length;
            packet[0] = (byte) 0x80;
            packet[1] = (byte) ((last ? 0x80 : 0) | payloadType);
            packet[2] = (byte) (sequence >> 8);
            packet[3] = (byte) sequence;
            packet[4] = (byte) (timestamp >> 24);
            packet[5] = (byte) (timestamp >> 16);
            packet[6] = (byte) (timestamp >> 8);
            packet[7] = (byte) timestamp;
            packet[8] = (byte) (ssrc >> 24);
            packet[9] = (byte) (ssrc >> 16);
            packet[10] = (byte) (ssrc >> 8);
            packet[11] = (byte) ssrc;
            // RFC 7741 §4.2: X, S on the frame's first packet, partition 0; I with a 15-bit PictureID.
            packet[12] = (byte) (0x80 | (off == 0 ? 0x10 : 0));
            packet[13] = (byte) 0x80;
            packet[14] = (byte) (0x80 | (pictureId >> 8));
            packet[15] = (byte) pictureId;
            System.arraycopy(frame, off, packet, 12 + DESCRIPTOR, len);
            sink.send(packet, 0, 12 + DESCRIPTOR + len);
            sequence = (sequence + 1) & 0xFFFF;
        }
        timestamp = (timestamp + timestampStep) & 0xFFFFFFFFL;
        pictureId = (pictureId + 1) & 0x7FFF;
        framesSent++;
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
