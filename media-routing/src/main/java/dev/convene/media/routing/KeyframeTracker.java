package dev.convene.media.routing;

import dev.convene.media.core.codec.Codec;
import dev.convene.media.core.rtp.RtpPacket;

/**
 * Watches a published stream for key frames, and throttles the requests for them (one per
 * {@link KeyframeRequestThrottle} interval, whoever asks). Not thread-safe.
 */
public final class KeyframeTracker implements PipelineStage {

    private final Codec codec;
    private final KeyframeRequestThrottle throttle;
    private long keyframes;
    private long lastKeyframeNanos = Long.MIN_VALUE;

    public KeyframeTracker(Codec codec, KeyframeRequestThrottle throttle) {
        this.codec = codec;
        this.throttle = throttle;
    }

    public void onPacket(RtpPacket packet, long nowNanos) {
        if (codec.isVideo() && codec.isKeyframe(packet)) {
            keyframes++;
            lastKeyframeNanos = nowNanos;
            throttle.onKeyframe();
        }
    }

    /** Whether a keyframe request may go to the publisher now; records it if so. */
    public boolean admitRequest(long nowNanos) {
        return throttle.admit(nowNanos);
    }

    /** Whether a request suppressed earlier and not answered by a key frame since may go now; records it if so. */
    public boolean admitPendingRequest(long nowNanos) {
        return throttle.admitPending(nowNanos);
    }

    /** Key frame starts seen (for VP8 and H.264, the first packet of each). */
    public long keyframes() { return keyframes; }

    /** Arrival of the last key frame start, or {@link Long#MIN_VALUE} before one. */
    public long lastKeyframeNanos() { return lastKeyframeNanos; }

    public KeyframeRequestThrottle throttle() { return throttle; }

    @Override
    public String name() {
        return "keyframes";
    }

    @Override
    public void appendCounters(CounterSink sink) {
        sink.counter("keyframes", keyframes);
        throttle.appendCounters((n, v) -> sink.counter("requests_" + n, v));
    }
}
