package dev.convene.loadtest;

import dev.convene.client.MediaTransportClient;
import dev.convene.client.SendStamp;
import java.util.function.LongFunction;

/**
 * One bot's subscriber-side meter, on that bot's reader thread: latency from each packet's send
 * stamp, per-SSRC sequence tracking for loss inside the window (expected = highest − first + 1,
 * as RFC 3550 A.3 counts it), and the RFC 3550 A.8 jitter estimate per stream. Streams live in a
 * small open-addressed table, so a packet costs no allocation.
 */
final class LatencyProbe implements MediaTransportClient.RtpObserver {

    private static final int SLOTS = 1024;
    private static final byte UNKNOWN = 0;
    private static final byte AUDIO = 1;
    private static final byte VIDEO = 2;

    private final MediaStats stats;
    private final LongFunction<String> kindOf;
    private final long[] ssrcs = new long[SLOTS];
    private final boolean[] used = new boolean[SLOTS];
    private final byte[] kind = new byte[SLOTS];
    private final long[] lastTransit = new long[SLOTS];
    private final long[] jitterNanos16 = new long[SLOTS];
    private final boolean[] inWindow = new boolean[SLOTS];
    private final long[] highest = new long[SLOTS];
    /** Packets per stream, ever and inside the window: who receives how many streams (last-N, loudest-N). */
    private final long[] packets = new long[SLOTS];
    private final long[] windowPackets = new long[SLOTS];

    /** @param kindOf "audio" or "video" for an SSRC, null while unknown */
    LatencyProbe(MediaStats stats, LongFunction<String> kindOf) {
        this.stats = stats;
        this.kindOf = kindOf;
    }

    @Override
    public void onRtp(long ssrc, int sequenceNumber, byte[] buf, int payloadOffset, int payloadLength, long arrivalNanos) {
        int slot = slot(ssrc);
        if (slot < 0) {
            return;
        }
        if (kind[slot] == UNKNOWN) {
            String k = kindOf.apply(ssrc);
            kind[slot] = k == null ? UNKNOWN : k.equals("audio") ? AUDIO : VIDEO;
        }
        packets[slot]++;
        if (payloadLength >= SendStamp.LENGTH) {
            long transit = arrivalNanos - SendStamp.read(buf, payloadOffset + payloadLength);
            stats.onLatency(arrivalNanos, transit);
            if (lastTransit[slot] != 0) {
                long d = Math.abs(transit - lastTransit[slot]);
                // J += (|D| - J) / 16, kept ×16 to stay in integers.
                jitterNanos16[slot] += d - (jitterNanos16[slot] + 8) / 16;
                stats.onJitter(jitterNanos16[slot] / 16 / 1_000);
            }
            lastTransit[slot] = transit;
        }
        if (!stats.measuring()) {
            inWindow[slot] = false;
            return;
        }
        if (kind[slot] == AUDIO) {
            stats.audioReceived.increment();
        } else {
            stats.videoReceived.increment();
        }
        stats.received.increment();
        windowPackets[slot]++;
        if (!inWindow[slot]) {
            inWindow[slot] = true;
            highest[slot] = sequenceNumber;
            stats.expected.increment();
            return;
        }
        long last = highest[slot];
        int delta = (int) ((sequenceNumber - last) & 0xFFFF);
        if (delta != 0 && delta < 0x8000) {
            highest[slot] = last + delta;
            stats.expected.add(delta);
        }
    }

    /** Calls {@code each} with the SSRC of every stream of {@code video} or audio that brought packets (in the window only: {@code window}). */
    void forEachStream(boolean video, boolean window, java.util.function.LongConsumer each) {
        byte wanted = video ? VIDEO : AUDIO;
        for (int i = 0; i < SLOTS; i++) {
            if (used[i] && kind[i] == wanted && (window ? windowPackets[i] : packets[i]) > 0) {
                each.accept(ssrcs[i]);
            }
        }
    }

    /** How many streams of a kind brought packets (ever, or in the window). */
    int streams(boolean video, boolean window) {
        int[] n = {0};
        forEachStream(video, window, s -> n[0]++);
        return n[0];
    }

    private int slot(long ssrc) {
        int i = (int) ((ssrc * 0x9E3779B97F4A7C15L) >>> 54) & (SLOTS - 1);
        for (int probes = 0; probes < SLOTS; probes++) {
            if (!used[i]) {
                used[i] = true;
                ssrcs[i] = ssrc;
                return i;
            }
            if (ssrcs[i] == ssrc) {
                return i;
            }
            i = (i + 1) & (SLOTS - 1);
        }
        return -1;
    }
}
