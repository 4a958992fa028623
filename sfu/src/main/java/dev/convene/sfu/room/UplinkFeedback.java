package dev.convene.sfu.room;

import dev.convene.media.core.Bytes;
import dev.convene.media.core.rtcp.RtcpTransportFeedback;
import dev.convene.media.core.rtp.RtpPacket;
import dev.convene.media.routing.bwe.TransportFeedbackRecorder;
import dev.convene.sfu.net.MediaSocket;
import dev.convene.sfu.transport.WebRtcTransport;

/**
 * One publisher transport's transport-cc feedback (ADR 0031): when the publisher's offer kept the
 * transport-wide sequence number, every packet it sends on the transport (media, RTX, its
 * padding probes) is recorded on arrival, and the feedback tick sends what arrived since the
 * last feedback, so the publisher's own estimator (Chromium's GCC) sizes its layers by what
 * reaches the SFU instead of by the SFU's fixed REMB alone. Allocation-free on the packet path.
 * Confined to the media loop.
 */
final class UplinkFeedback {

    /** Feedback goes every this many feedback ticks (20 ms each): 60 ms, within libwebrtc's 50–250 ms. */
    static final int EVERY_TICKS = 3;

    private final TransportFeedbackRecorder recorder = new TransportFeedbackRecorder(WebRtcTransport.FEEDBACK_SSRC);
    /** Made at the first feedback (2.4 KB): transport-cc upstream is off by default, and most participants never send it. */
    private byte[] out;
    private int extensionId;

    /** The id the publisher's offer gave the transport-wide sequence number (kept in the answer), 0 for none. */
    void setExtensionId(int id) {
        extensionId = id >= 1 && id <= 14 ? id : 0;
    }

    int extensionId() {
        return extensionId;
    }

    /** A publisher RTP packet (plaintext) arrived at {@code nowNanos}. */
    void onRtp(RtpPacket packet, long nowNanos) {
        if (extensionId == 0) {
            return;
        }
        int offset = packet.extensionOffset(extensionId);
        if (offset >= 0 && packet.extensionLength(extensionId) == 2) {
            recorder.onPacket(Bytes.u16(packet.buffer(), offset), nowNanos);
        }
    }

    /** Sends the feedback due on {@code transport}, naming {@code mediaSsrc}; nothing if no packet arrived since the last. */
    void sendDue(WebRtcTransport transport, long mediaSsrc) {
        if (extensionId == 0) {
            return;
        }
        if (out == null) {
            out = new byte[RtcpTransportFeedback.maxLength(TransportFeedbackRecorder.MAX_PER_FEEDBACK) + MediaSocket.TRAILER_ROOM];
        }
        int len = recorder.write(out, 0, Math.max(mediaSsrc, 0));
        if (len > 0) {
            transport.sendRtcp(out, 0, len);
        }
    }

    TransportFeedbackRecorder recorder() {
        return recorder;
    }
}
