package dev.convene.media.routing.bwe;

import dev.convene.media.core.rtcp.RtcpTransportFeedback;

/**
 * One subscriber's downlink estimate, GCC style (draft-ietf-rmcat-gcc-02), from the
 * transport-cc feedback it sends about what the SFU sent it:
 * <ul>
 * <li>delay-based: packets sent within {@link #BURST_NANOS} of each other form a group; each
 *     group's arrival spacing minus its send spacing feeds a {@link TrendlineDetector}; its
 *     signal drives AIMD rate control — overuse cuts the rate to 85 % of what was delivered
 *     (at most by half, at most every 200 ms, and only with a queue built and less delivered
 *     than sent),
 *     normal grows it by 8 % a second (never past 1.5 × delivered + 10 kbit/s), underuse holds;</li>
 * <li>throughput: what was delivered over the last {@link #ACKED_WINDOW_MICROS} with no
 *     overuse in sight is capacity proven, so the estimate rises to it at once (this is how a
 *     probe of padding moves it up);</li>
 * <li>loss-based: over at least {@link #LOSS_MIN_PACKETS} packets, more than 10 % lost cuts
 *     a loss bound to the estimate less half the loss fraction, and to no more than was
 *     delivered (at most every 300 ms); 2-10 %
 *     holds it; under 2 % it grows 8 % a second until it no longer binds.</li>
 * </ul>
 * Without transport-cc feedback for {@link #FEEDBACK_TIMEOUT_NANOS}, the subscriber's REMB (if
 * it sends one) is the estimate instead. Time is the caller's clock (nanoseconds); everything
 * is allocation-free. Not thread-safe: confined to the subscriber's loop.
 */
public final class BandwidthEstimator implements RtcpTransportFeedback.Visitor {

    /** Bounds and starting point of the estimate. */
    public record Settings(long initialBps, long minBps, long maxBps) {
        public static Settings defaults() {
            return new Settings(5_000_000, 50_000, 30_000_000);
        }

        public Settings {
            if (minBps <= 0 || minBps > initialBps || initialBps > maxBps) {
                throw new IllegalArgumentException("need 0 < min <= initial <= max: " + minBps + " " + initialBps
                        + " " + maxBps);
            }
        }
    }

    /** What moved the estimate last, for logs and metrics. */
    public enum Reason { INITIAL, INCREASE, OVERUSE, THROUGHPUT, LOSS, REMB }

    static final long BURST_NANOS = 5_000_000;
    static final long ACKED_WINDOW_MICROS = 500_000;
    /**
     * What got through lately, for a loss cut: under heavy loss the 500 ms window still holds the
     * arrivals from before the bottleneck began, and a cut to that rate takes a second cut, 300 ms
     * later, to reach the link (ADR 0031). 250 ms still did, in Chromium: a first cut to 487 kbit/s
     * under a 300 kbit/s cap (a budget between the low and middle layers: two switches, two key
     * frames). With more than 10 % lost the buffer is full, so its last 150 ms of arrivals left
     * at the link's rate.
     */
    static final long LOSS_ACKED_WINDOW_MICROS = 150_000;
    static final int LOSS_MIN_PACKETS = 20;
    static final long FEEDBACK_TIMEOUT_NANOS = 2_000_000_000L;
    static final long DECREASE_INTERVAL_NANOS = 200_000_000L;
    /**
     * Queueing delay an overuse must come with to cut the rate. The trend alone fires on a
     * receiver that stamps arrivals late for a moment (a browser starved of CPU); a bottleneck
     * builds a queue of this much within a few packets of saturating (300 kbit/s: one 1200-byte
     * packet is 32 ms), and holds it.
     */
    static final double MIN_QUEUE_DELAY_MS = 50;
    /**
     * Queueing delay that is a bottleneck whatever the trend says: a receiver starved of CPU
     * stamps late by tens of milliseconds (up to about 55 seen here), a 300 kbit/s cap under a
     * layer three times its rate builds this within a few packets. Seen in two feedbacks in a row
     * with the path delivering less than was sent, it cuts at once to what the last
     * {@link #SEVERE_ACKED_WINDOW_MICROS} delivered, the trendline's window of 20 groups (up to
     * half a second of frames) and the loss signal (a full buffer's delay later) being too slow
     * for a switch without a visible freeze (ADR 0031).
     */
    static final double SEVERE_QUEUE_DELAY_MS = 150;
    /**
     * {@link #deliveryRatio} under which the latest arrivals cut at once, from a queue of
     * {@link #MIN_QUEUE_DELAY_MS} in one feedback: a 300 kbit/s link under a 2 Mbit/s stream
     * delivers at ~0.15, a receiver that stamped late at more than 1.
     */
    static final double COLLAPSED_DELIVERY = 0.5;
    /** Arrivals a severe-queue cut measures: recent enough to be mostly behind the bottleneck. */
    static final long SEVERE_ACKED_WINDOW_MICROS = 150_000;
    private static final double BETA = 0.85;
    private static final double INCREASE_PER_SECOND = 1.08;
    private static final int ACKED_RING = 1024;

    private final Settings settings;
    private final SendHistory history;
    private final TrendlineDetector detector = new TrendlineDetector();

    private long estimateBps;
    private Reason reason = Reason.INITIAL;
    private long lastUpdateNanos = Long.MIN_VALUE;
    private long lastFeedbackNanos = Long.MIN_VALUE;
    private long lastLossCutNanos = Long.MIN_VALUE;
    private long lastDecreaseNanos = Long.MIN_VALUE;
    private long rembBps = -1;
    /** The loss-based bound (§6): none until loss passes 10 %, lifted again below 2 %. */
    private long lossCapBps = Long.MAX_VALUE;
    private long lastLossUpdateNanos = Long.MIN_VALUE;
    private boolean holding;
    private int severeFeedbacks;
    private long severeCuts;
    private long collapseCuts;

    // The group being filled and the one before it.
    private long groupFirstSend = Long.MIN_VALUE;
    private long groupLastSend;
    private long groupLastArrivalMicros;
    private boolean previousGroup;
    private long previousGroupSend;
    private long previousGroupArrivalMicros;

    // Delivered bytes by arrival time, for the acked bitrate.
    // Made at the first delivered packet (20 KB): a participant that receives no media, as most
    // sockets of a large meeting's audience before their media flows, keeps none.
    private long[] ackedArrival;
    private int[] ackedBytes;
    private long[] ackedSend;
    private int ackedNext;
    private int ackedCount;
    private long lastArrivalMicros = Long.MIN_VALUE;

    // Loss over the current period.
    private int periodReceived;
    private int periodLost;
    private double lossFraction;

    // Per feedback.
    private long feedbackNow;
    private boolean overuseInFeedback;

    private long feedbacks;
    private long overuses;

    public BandwidthEstimator(Settings settings, SendHistory history) {
        this.settings = settings;
        this.history = history;
        this.estimateBps = settings.initialBps();
    }

    /** Reads one transport-cc feedback (already {@code wrap}ped); malformed feedback changes nothing. */
    public void onFeedback(RtcpTransportFeedback feedback, long nowNanos) {
        if (!feedback.read(null)) {
            return;
        }
        feedbacks++;
        feedbackNow = nowNanos;
        overuseInFeedback = false;
        feedback.read(this);
        lastFeedbackNanos = nowNanos;
        rateControl(nowNanos);
        lossControl(nowNanos);
        lastUpdateNanos = nowNanos;
    }

    @Override
    public void onPacket(int sequenceNumber, boolean received, long arrivalMicros) {
        long seq = history.find(sequenceNumber);
        if (seq < 0) {
            return;
        }
        if (!received) {
            periodLost++;
            return;
        }
        periodReceived++;
        int bytes = history.size(seq);
        if (ackedArrival == null) {
            ackedArrival = new long[ACKED_RING];
            ackedBytes = new int[ACKED_RING];
            ackedSend = new long[ACKED_RING];
        }
        ackedArrival[ackedNext] = arrivalMicros;
        ackedBytes[ackedNext] = bytes;
        ackedSend[ackedNext] = history.sendNanos(seq);
        ackedNext = (ackedNext + 1) % ACKED_RING;
        ackedCount = Math.min(ackedCount + 1, ACKED_RING);
        lastArrivalMicros = Math.max(lastArrivalMicros, arrivalMicros);
        onGroupPacket(history.sendNanos(seq), arrivalMicros);
    }

    private void onGroupPacket(long sendNanos, long arrivalMicros) {
        if (groupFirstSend == Long.MIN_VALUE) {
            startGroup(sendNanos, arrivalMicros);
            return;
        }
        if (sendNanos < groupFirstSend) {
            return; // reordered across groups: its group is already closed
        }
        if (sendNanos - groupFirstSend <= BURST_NANOS) {
            groupLastSend = Math.max(groupLastSend, sendNanos);
            groupLastArrivalMicros = Math.max(groupLastArrivalMicros, arrivalMicros);
            return;
        }
        if (previousGroup) {
            double arrivalDeltaMs = (groupLastArrivalMicros - previousGroupArrivalMicros) / 1000.0;
            double sendDeltaMs = (groupLastSend - previousGroupSend) / 1e6;
            if (detector.update(arrivalDeltaMs, sendDeltaMs, groupLastArrivalMicros / 1000.0)
                    == TrendlineDetector.Signal.OVERUSE) {
                overuseInFeedback = true;
            }
        }
        previousGroup = true;
        previousGroupSend = groupLastSend;
        previousGroupArrivalMicros = groupLastArrivalMicros;
        startGroup(sendNanos, arrivalMicros);
    }

    private void startGroup(long sendNanos, long arrivalMicros) {
        groupFirstSend = sendNanos;
        groupLastSend = sendNanos;
        groupLastArrivalMicros = arrivalMicros;
    }

    /** AIMD on the detector's signal (§5.5), then the throughput floor. */
    private void rateControl(long nowNanos) {
        long acked = ackedBps();
        if (severeQueueCut(nowNanos, acked)) {
            holding = true;
            return;
        }
        TrendlineDetector.Signal signal = overuseInFeedback ? TrendlineDetector.Signal.OVERUSE : detector.signal();
        switch (signal) {
            case OVERUSE -> {
                // At most halved per cut, and one cut per DECREASE_INTERVAL: a receiver starved of
                // CPU for a moment looks like a queue, and what was delivered while the sender had
                // little to send is no measure of the link. A real bottleneck keeps signalling.
                long base = acked > 0 ? acked : estimateBps;
                long cut = Math.max((long) (BETA * base), estimateBps / 2);
                boolean due = lastDecreaseNanos == Long.MIN_VALUE || nowNanos - lastDecreaseNanos >= DECREASE_INTERVAL_NANOS;
                // A growing trend cuts only once a queue has built up; before, it holds the rate.
                boolean queued = detector.queueDelayMs() >= MIN_QUEUE_DELAY_MS;
                // ... and with the path delivering less than was sent: a receiver that stamped late
                // for a moment still got everything at the rate it was sent.
                long sent = sentBpsOfAcked();
                boolean limited = sent > 0 && acked < sent * 9 / 10;
                if (due && queued && limited && cut < estimateBps) {
                    set(cut, Reason.OVERUSE);
                    overuses++;
                    lastDecreaseNanos = nowNanos;
                }
                holding = true;
            }
            case UNDERUSE -> holding = true;
            case NORMAL -> {
                if (holding) {
                    holding = false;
                } else if (lastUpdateNanos != Long.MIN_VALUE) {
                    double seconds = Math.min(nowNanos - lastUpdateNanos, 1_000_000_000L) / 1e9;
                    long grown = (long) (estimateBps * Math.pow(INCREASE_PER_SECOND, seconds));
                    if (acked > 0) {
                        grown = Math.min(grown, Math.max(estimateBps, (long) (1.5 * acked) + 10_000));
                    }
                    if (grown > estimateBps) {
                        set(grown, Reason.INCREASE);
                    }
                }
                if (acked > Math.min(estimateBps, lossCapBps) && lossFraction < 0.02) {
                    // Delivered without delay growth or loss: both bounds rise to it (a probe's result).
                    if (acked > estimateBps) {
                        set(acked, Reason.THROUGHPUT);
                    }
                    lossCapBps = acked >= estimateBps ? Long.MAX_VALUE : Math.max(lossCapBps, acked);
                    reason = Reason.THROUGHPUT;
                }
            }
        }
    }

    /**
     * A queue of {@link #SEVERE_QUEUE_DELAY_MS} in two feedbacks in a row, with less delivered
     * than sent (or a collapse, {@link #COLLAPSED_DELIVERY}, in one): the estimate goes to 85 % of what the most recent arrivals delivered, not by
     * halves every 200 ms (which take three cuts and most of a second from a 5 Mbit/s start to
     * a 300 kbit/s link). One late-stamping receiver shows a deep queue in one feedback and
     * the burst that catches up in the next.
     */
    private boolean severeQueueCut(long nowNanos, long acked) {
        long sent = sentBpsOfAcked();
        boolean severe = detector.queueDelayMs() >= SEVERE_QUEUE_DELAY_MS && sent > 0 && acked < sent * 9 / 10;
        severeFeedbacks = severe ? severeFeedbacks + 1 : 0;
        long recent = ackedBps(SEVERE_ACKED_WINDOW_MICROS);
        if (recent <= 0) {
            return false;
        }
        long estimate = estimateBps(nowNanos);
        long cut = (long) (BETA * recent);
        boolean due = lastDecreaseNanos == Long.MIN_VALUE || nowNanos - lastDecreaseNanos >= DECREASE_INTERVAL_NANOS;
        // The latest arrivals spread over several times the span they were sent in, behind a
        // growing queue, while the estimate is still more than twice what they deliver: a link many
        // times narrower than the stream. One feedback is enough, before the queue is deep, and
        // it need not wait out a halving the trend just made. A receiver that stamped late reports
        // its arrivals bunched, closer than they were sent; the longer windows would still hold
        // the full-rate arrivals from before the link narrowed.
        boolean collapsed = detector.queueDelayMs() >= MIN_QUEUE_DELAY_MS && cut < estimate / 2
                && deliveryRatio(SEVERE_ACKED_WINDOW_MICROS) < COLLAPSED_DELIVERY;
        if (!collapsed && (severeFeedbacks < 2 || !due) || cut >= estimate) {
            return false;
        }
        set(cut, Reason.OVERUSE);
        overuses++;
        if (collapsed) {
            collapseCuts++;
        } else {
            severeCuts++;
        }
        lastDecreaseNanos = nowNanos;
        return true;
    }

    /** Cuts made for a severe queue ({@link #SEVERE_QUEUE_DELAY_MS}), for tests and logs. */
    public long severeCuts() { return severeCuts; }

    /** Cuts made at once for a collapsed link ({@link #COLLAPSED_DELIVERY}), for tests and logs. */
    public long collapseCuts() { return collapseCuts; }

    /**
     * Loss-based control (§6) over periods of at least {@link #LOSS_MIN_PACKETS} packets: a bound
     * beside the delay-based estimate rather than a cut of it, so delay-based growth cannot undo
     * it while the loss lasts.
     */
    private void lossControl(long nowNanos) {
        int total = periodReceived + periodLost;
        if (total < LOSS_MIN_PACKETS) {
            return;
        }
        lossFraction = (double) periodLost / total;
        periodReceived = 0;
        periodLost = 0;
        if (lossFraction > 0.1) {
            if (lastLossCutNanos == Long.MIN_VALUE || nowNanos - lastLossCutNanos >= 300_000_000L) {
                long base = Math.min(estimateBps, lossCapBps);
                long cut = (long) (base * (1 - 0.5 * lossFraction));
                // With this much loss, what got through lately is what the path carries: no more than that.
                long acked = ackedBps(LOSS_ACKED_WINDOW_MICROS);
                if (acked > 0) {
                    cut = Math.min(cut, acked);
                }
                lossCapBps = Math.max(settings.minBps(), cut);
                lastLossCutNanos = nowNanos;
                lastDecreaseNanos = nowNanos;
            }
        } else if (lossFraction < 0.02 && lossCapBps != Long.MAX_VALUE) {
            // Grows back as the delay-based estimate does (8 % a second), and goes once it no longer binds.
            double seconds = lastLossUpdateNanos == Long.MIN_VALUE ? 0
                    : Math.min(nowNanos - lastLossUpdateNanos, 1_000_000_000L) / 1e9;
            lossCapBps = (long) (lossCapBps * Math.pow(INCREASE_PER_SECOND, seconds));
            if (lossCapBps >= estimateBps) {
                lossCapBps = Long.MAX_VALUE;
            }
        }
        lastLossUpdateNanos = nowNanos;
    }

    private void set(long bps, Reason why) {
        estimateBps = Math.clamp(bps, settings.minBps(), settings.maxBps());
        reason = why;
    }

    /** Bits per second delivered over the last {@link #ACKED_WINDOW_MICROS} of arrivals, or 0 while unknown. */
    public long ackedBps() {
        return ackedBps(ACKED_WINDOW_MICROS);
    }

    private long ackedBps(long windowMicros) {
        if (ackedCount < 2) {
            return 0;
        }
        long from = lastArrivalMicros - windowMicros;
        long bytes = 0;
        long earliest = Long.MAX_VALUE;
        int earliestBytes = 0;
        for (int i = 0; i < ackedCount; i++) {
            long a = ackedArrival[i];
            if (a > from && a <= lastArrivalMicros) {
                bytes += ackedBytes[i];
                if (a < earliest) {
                    earliest = a;
                    earliestBytes = ackedBytes[i];
                }
            }
        }
        // The earliest packet's bytes arrived before the span began; at least 100 ms, so a burst is no rate.
        long span = Math.max(lastArrivalMicros - earliest, 100_000);
        return (bytes - earliestBytes) * 8 * 1_000_000 / span;
    }

    /**
     * For the packets that arrived within the last {@code windowMicros}: the time they took to send
     * over the time they took to arrive (about 1 on a path that keeps up; 0.15 behind a link a
     * seventh of the rate), or {@link Double#MAX_VALUE} for fewer than four packets or under
     * 30 ms of arrivals.
     */
    private double deliveryRatio(long windowMicros) {
        long from = lastArrivalMicros - windowMicros;
        long firstArrival = Long.MAX_VALUE;
        long firstSend = Long.MAX_VALUE;
        long lastSend = Long.MIN_VALUE;
        int packets = 0;
        for (int i = 0; i < ackedCount; i++) {
            long a = ackedArrival[i];
            if (a > from && a <= lastArrivalMicros) {
                packets++;
                firstArrival = Math.min(firstArrival, a);
                firstSend = Math.min(firstSend, ackedSend[i]);
                lastSend = Math.max(lastSend, ackedSend[i]);
            }
        }
        long arrivalSpanMicros = lastArrivalMicros - firstArrival;
        if (packets < 4 || arrivalSpanMicros < 30_000) {
            return Double.MAX_VALUE;
        }
        return (lastSend - firstSend) / 1000.0 / arrivalSpanMicros;
    }

    /** The rate at which the packets of the {@link #ackedBps()} window were sent (by their send times), or 0. */
    long sentBpsOfAcked() {
        if (ackedCount < 2) {
            return 0;
        }
        long from = lastArrivalMicros - ACKED_WINDOW_MICROS;
        long bytes = 0;
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        int firstBytes = 0;
        for (int i = 0; i < ackedCount; i++) {
            long a = ackedArrival[i];
            if (a > from && a <= lastArrivalMicros) {
                bytes += ackedBytes[i];
                if (ackedSend[i] < first) {
                    first = ackedSend[i];
                    firstBytes = ackedBytes[i];
                }
                last = Math.max(last, ackedSend[i]);
            }
        }
        long spanMicros = Math.max((last - first) / 1000, 100_000);
        return (bytes - firstBytes) * 8 * 1_000_000 / spanMicros;
    }

    /** A REMB from the subscriber: the estimate while it sends no transport-cc feedback. */
    public void onRemb(long bps, long nowNanos) {
        rembBps = bps;
    }

    /** The subscriber's downlink estimate now, in bits per second. */
    public long estimateBps(long nowNanos) {
        if (!hasTransportFeedback(nowNanos) && rembBps >= 0) {
            return Math.clamp(rembBps, settings.minBps(), settings.maxBps());
        }
        return Math.min(estimateBps, lossCapBps);
    }

    /** Whether there is anything to go on: recent transport-cc feedback, or a REMB. */
    public boolean hasEstimate(long nowNanos) {
        return hasTransportFeedback(nowNanos) || rembBps >= 0;
    }

    public boolean hasTransportFeedback(long nowNanos) {
        return lastFeedbackNanos != Long.MIN_VALUE && nowNanos - lastFeedbackNanos < FEEDBACK_TIMEOUT_NANOS;
    }

    /**
     * Queueing delay at which the path counts as {@link #queueing()}. Below
     * {@link #MIN_QUEUE_DELAY_MS}'s use as a cut condition it is the same measure: the feedback
     * that shows it comes a queue's delay and a feedback interval after the packets that built it,
     * so a probe stopped at 50 ms reported stops before a 200–250 ms buffer is full. (A loaded
     * machine's receivers showed up to about 55 ms on an unimpaired path: a probe that stops on
     * such noise only fails and is tried again.)
     */
    static final double QUEUEING_MS = 50;

    /**
     * Whether the path queues (delay {@link #QUEUEING_MS} above its recent minimum), loses (2 %
     * or more over the last loss period) or delivers less than 95 % of what was sent: no time to
     * add padding, which would only fill the bottleneck's buffer until media is dropped. A
     * standing queue hides from the delay measure (its minimum follows the queue within 1–2 s),
     * and its tail drops show as loss only a buffer's delay later; what it delivers against what
     * was sent shows at once.
     */
    public boolean queueing() {
        if (detector.queueDelayMs() >= QUEUEING_MS || lossFraction >= 0.02) {
            return true;
        }
        long sent = sentBpsOfAcked();
        return sent > 0 && ackedBps() < sent * 95 / 100;
    }

    /** When the estimate last went down for congestion (overuse or loss), or {@link Long#MIN_VALUE}. */
    public long lastDecreaseNanos() { return lastDecreaseNanos; }

    public Reason reason() { return lossCapBps < estimateBps ? Reason.LOSS : reason; }

    public double lossFraction() { return lossFraction; }

    public long feedbacks() { return feedbacks; }

    public long overuses() { return overuses; }

    public TrendlineDetector detector() { return detector; }
}
