package dev.convene.media.transport.srtp;

/** Per-SSRC cryptographic state of one direction (RFC 3711 §3.2.1, the parts that vary). */
final class SrtpStream {
    static final long MAX_RTP_INDEX = (1L << 48) - 1;
    static final long MAX_RTCP_INDEX = (1L << 31) - 1;

    /** Holds the highest index too: ROC = highest >>> 16, s_l = highest & 0xFFFF. */
    final ReplayWindow rtpWindow;
    final ReplayWindow rtcpWindow;
    /** The SRTCP index the next protected packet gets (RFC 3711 §3.4: starts at zero). */
    long nextRtcpIndex;

    SrtpStream(int windowSize) {
        rtpWindow = new ReplayWindow(windowSize);
        rtcpWindow = new ReplayWindow(windowSize);
    }

    /**
     * The packet index of {@code seq}, guessing the rollover counter as RFC 3711 Appendix A
     * does. Returns -1 when the guess would be ROC - 1 with ROC = 0 (older than the stream).
     */
    static long estimateIndex(SrtpStream stream, int seq) {
        long highest = stream == null ? -1 : stream.rtpWindow.highest();
        if (highest < 0) {
            return seq;
        }
        long roc = highest >>> 16;
        int sl = (int) (highest & 0xFFFF);
        long v;
        if (sl < 32768) {
            v = seq - sl > 32768 ? roc - 1 : roc;
        } else {
            v = sl - 32768 > seq ? roc + 1 : roc;
        }
        return v < 0 ? -1 : (v << 16) | seq;
    }
}
