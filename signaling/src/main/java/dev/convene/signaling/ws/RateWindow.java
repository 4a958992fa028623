package dev.convene.signaling.ws;

/**
 * Counts a socket's frames per one-second window of the injected clock. Touched only by the
 * socket's inbound handler, which Jetty calls one frame at a time.
 */
final class RateWindow {

    /** What to do with a frame. */
    enum Verdict { ACCEPT, REJECT_AND_TELL, REJECT_QUIETLY }

    private final int maxPerSecond;
    private boolean started;
    private long windowStartMillis;
    private int count;

    RateWindow(int maxPerSecond) {
        this.maxPerSecond = maxPerSecond;
    }

    /** One error per window is enough for the client; more would only feed its flood back to it. */
    Verdict onFrame(long nowMillis) {
        if (!started || nowMillis - windowStartMillis >= 1_000 || nowMillis < windowStartMillis) {
            started = true;
            windowStartMillis = nowMillis;
            count = 0;
        }
        count++;
        if (count <= maxPerSecond) {
            return Verdict.ACCEPT;
        }
        return count == maxPerSecond + 1 ? Verdict.REJECT_AND_TELL : Verdict.REJECT_QUIETLY;
    }
}
