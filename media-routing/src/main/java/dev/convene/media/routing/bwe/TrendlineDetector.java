package dev.convene.media.routing.bwe;

/**
 * The delay-based half of GCC (draft-ietf-rmcat-gcc-02 §5.3-5.4, as libwebrtc implements it):
 * the delay variation between packet groups is accumulated and smoothed, a least-squares line
 * is fitted through the last {@link #WINDOW} points, and its slope — the queue's growth —
 * is compared with an adaptive threshold. A slope above the threshold for more than 100 ms is
 * {@link Signal#OVERUSE}; below its negative, {@link Signal#UNDERUSE} (a queue draining).
 * Pure arithmetic on the caller's times; allocation-free.
 */
public final class TrendlineDetector {

    public enum Signal { NORMAL, OVERUSE, UNDERUSE }

    static final int WINDOW = 20;
    private static final double SMOOTHING = 0.9;
    private static final double GAIN = 4;
    private static final double INITIAL_THRESHOLD_MS = 12.5;
    private static final double K_UP = 0.0087;
    private static final double K_DOWN = 0.039;
    /**
     * How long the trend must stay above the threshold: 10 ms in the draft; 100 here, because a
     * receiver starved of CPU for a moment (a browser on a loaded machine) stamps late arrivals
     * that look like a queue for tens of milliseconds, while a real bottleneck's queue keeps
     * growing. It costs a real overuse about 90 ms of detection.
     */
    private static final double OVERUSE_TIME_MS = 100;

    private final double[] xs = new double[WINDOW];
    private final double[] ys = new double[WINDOW];
    private int points;
    private int numDeltas;
    private double firstArrivalMs = Double.NaN;
    private double accumulatedMs;
    private double smoothedMs;
    private double threshold = INITIAL_THRESHOLD_MS;
    private double lastThresholdUpdateMs = Double.NaN;
    private double timeOverUsingMs = -1;
    private int overuseCounter;
    private double previousTrend;
    private double trend;
    private Signal signal = Signal.NORMAL;

    /**
     * One group's delay variation against the previous group.
     *
     * @param arrivalDeltaMs how much later this group arrived than the previous one
     * @param sendDeltaMs    how much later it was sent
     * @param arrivalMs      this group's arrival time (any origin, increasing)
     */
    public Signal update(double arrivalDeltaMs, double sendDeltaMs, double arrivalMs) {
        numDeltas = Math.min(numDeltas + 1, 1000);
        if (Double.isNaN(firstArrivalMs)) {
            firstArrivalMs = arrivalMs;
        }
        accumulatedMs += arrivalDeltaMs - sendDeltaMs;
        trackBaseline(arrivalMs);
        smoothedMs = SMOOTHING * smoothedMs + (1 - SMOOTHING) * accumulatedMs;
        if (points == WINDOW) {
            System.arraycopy(xs, 1, xs, 0, WINDOW - 1);
            System.arraycopy(ys, 1, ys, 0, WINDOW - 1);
            points--;
        }
        xs[points] = arrivalMs - firstArrivalMs;
        ys[points] = smoothedMs;
        points++;
        if (points == WINDOW) {
            trend = slope();
        }
        detect(sendDeltaMs, arrivalMs);
        return signal;
    }

    private double slope() {
        double sumX = 0;
        double sumY = 0;
        for (int i = 0; i < points; i++) {
            sumX += xs[i];
            sumY += ys[i];
        }
        double meanX = sumX / points;
        double meanY = sumY / points;
        double numerator = 0;
        double denominator = 0;
        for (int i = 0; i < points; i++) {
            numerator += (xs[i] - meanX) * (ys[i] - meanY);
            denominator += (xs[i] - meanX) * (xs[i] - meanX);
        }
        return denominator == 0 ? trend : numerator / denominator;
    }

    private void detect(double sendDeltaMs, double nowMs) {
        if (numDeltas < 2) {
            signal = Signal.NORMAL;
            return;
        }
        double modified = Math.min(numDeltas, 60) * trend * GAIN;
        if (modified > threshold) {
            timeOverUsingMs = timeOverUsingMs < 0 ? sendDeltaMs / 2 : timeOverUsingMs + sendDeltaMs;
            overuseCounter++;
            if (timeOverUsingMs > OVERUSE_TIME_MS && overuseCounter > 1 && modified >= previousTrend) {
                timeOverUsingMs = 0;
                overuseCounter = 0;
                signal = Signal.OVERUSE;
            }
        } else if (modified < -threshold) {
            timeOverUsingMs = -1;
            overuseCounter = 0;
            signal = Signal.UNDERUSE;
        } else {
            timeOverUsingMs = -1;
            overuseCounter = 0;
            signal = Signal.NORMAL;
        }
        previousTrend = modified;
        adaptThreshold(modified, nowMs);
    }

    /** §5.4: the threshold follows the trend, fast down and slowly up, so it neither starves nor floods. */
    private void adaptThreshold(double modified, double nowMs) {
        if (Double.isNaN(lastThresholdUpdateMs)) {
            lastThresholdUpdateMs = nowMs;
        }
        double magnitude = Math.abs(modified);
        if (magnitude > threshold + 15) {
            // A spike (a route change, a paused sender) must not drag the threshold up.
            lastThresholdUpdateMs = nowMs;
            return;
        }
        double k = magnitude < threshold ? K_DOWN : K_UP;
        double dt = Math.min(nowMs - lastThresholdUpdateMs, 100);
        threshold = Math.clamp(threshold + k * (magnitude - threshold) * dt, 6, 600);
        lastThresholdUpdateMs = nowMs;
    }

    /**
     * The queueing delay now: the accumulated delay variation above its lowest value over the
     * last one to two seconds (two one-second buckets), i.e. how much longer packets take than
     * when the path was emptiest lately.
     */
    public double queueDelayMs() {
        return accumulatedMs - Math.min(baselineCurrent, baselinePrevious);
    }

    private double baselineCurrent = Double.MAX_VALUE;
    private double baselinePrevious = Double.MAX_VALUE;
    private double baselineBucketStartMs = Double.NaN;

    private void trackBaseline(double arrivalMs) {
        if (Double.isNaN(baselineBucketStartMs)) {
            baselineBucketStartMs = arrivalMs;
        } else if (arrivalMs - baselineBucketStartMs >= 1000) {
            baselinePrevious = baselineCurrent;
            baselineCurrent = Double.MAX_VALUE;
            baselineBucketStartMs = arrivalMs;
        }
        baselineCurrent = Math.min(baselineCurrent, accumulatedMs);
    }

    public Signal signal() { return signal; }

    /** The last modified trend (slope × min(deltas, 60) × gain), for logs and tests. */
    public double modifiedTrend() { return previousTrend; }

    public double threshold() { return threshold; }
}
