package dev.convene.media.routing.speaker;

/**
 * How much one audio stream has been speaking lately, from the RFC 6464 levels on its packets.
 * Levels are summed into 100 ms buckets (the last {@value #BUCKETS} kept); a packet counts by how
 * far it is above {@link #ACTIVE_LEVEL} (-50 dBov), so a microphone's steady noise floor (-60 to
 * -80 dBov) weighs nothing however long it lasts, and a bucket without packets (Opus DTX sends
 * almost none in silence) is silent. Written by the packet path without allocating; read by
 * {@link DominantSpeakerDetector} on the same loop.
 */
public final class SpeakerActivity {

    public static final long BUCKET_NANOS = 100_000_000L;
    /** Two seconds of history: more than the longest window the detector reads. */
    public static final int BUCKETS = 20;
    /** -dBov at or above which (quieter) a packet counts as silence. */
    public static final int ACTIVE_LEVEL = 50;

    private final int[] sum = new int[BUCKETS];
    private final int[] count = new int[BUCKETS];
    private long bucket = Long.MIN_VALUE;

    /** A packet's level in -dBov (0 loudest, 127 silence); a negative level (no extension) is ignored. */
    public void onLevel(int minusDbov, long nowNanos) {
        if (minusDbov < 0) {
            return;
        }
        advance(nowNanos);
        int slot = (int) Math.floorMod(bucket, (long) BUCKETS);
        sum[slot] += Math.max(0, ACTIVE_LEVEL - minusDbov);
        count[slot]++;
    }

    /**
     * The mean weight of the last {@code buckets} buckets up to now (0 to {@link #ACTIVE_LEVEL}),
     * each bucket the mean of its packets' weights; the current, unfinished bucket is one of them.
     */
    public double score(int buckets, long nowNanos) {
        advance(nowNanos);
        int n = Math.min(buckets, BUCKETS);
        double total = 0;
        for (int i = 0; i < n; i++) {
            int slot = (int) Math.floorMod(bucket - i, (long) BUCKETS);
            if (count[slot] > 0) {
                total += (double) sum[slot] / count[slot];
            }
        }
        return total / n;
    }

    /** Moves to the bucket of {@code nowNanos}, clearing the ones skipped; time never runs back here. */
    private void advance(long nowNanos) {
        long current = Math.floorDiv(nowNanos, BUCKET_NANOS);
        if (bucket == Long.MIN_VALUE) {
            bucket = current;
            return;
        }
        if (current <= bucket) {
            return;
        }
        long steps = Math.min(current - bucket, BUCKETS);
        for (long i = 1; i <= steps; i++) {
            int slot = (int) Math.floorMod(bucket + i, (long) BUCKETS);
            sum[slot] = 0;
            count[slot] = 0;
        }
        bucket = current;
    }
}
