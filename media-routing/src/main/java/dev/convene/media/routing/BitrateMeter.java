package dev.convene.media.routing;

/**
 * Bits per second over the last second, in ten 100 ms buckets: cheap enough for every packet
 * (no allocation, no division on record). Time is the caller's monotonic clock. Not thread-safe.
 */
public final class BitrateMeter {

    private static final int BUCKETS = 10;
    private static final long BUCKET_NANOS = 100_000_000L;

    private final long[] bytes = new long[BUCKETS];
    private long currentBucket = Long.MIN_VALUE;

    public void record(int packetBytes, long nowNanos) {
        advance(nowNanos);
        bytes[(int) Math.floorMod(currentBucket, (long) BUCKETS)] += packetBytes;
    }

    /** Bits per second over the last second (the current, partly filled bucket included). */
    public long bitsPerSecond(long nowNanos) {
        advance(nowNanos);
        long sum = 0;
        for (long b : bytes) {
            sum += b;
        }
        return sum * 8;
    }

    private void advance(long nowNanos) {
        long bucket = Math.floorDiv(nowNanos, BUCKET_NANOS);
        if (bucket == currentBucket) {
            return;
        }
        if (currentBucket == Long.MIN_VALUE || bucket - currentBucket >= BUCKETS || bucket < currentBucket) {
            java.util.Arrays.fill(bytes, 0);
        } else {
            for (long b = currentBucket + 1; b <= bucket; b++) {
                bytes[(int) Math.floorMod(b, (long) BUCKETS)] = 0;
            }
        }
        currentBucket = bucket;
    }
}
