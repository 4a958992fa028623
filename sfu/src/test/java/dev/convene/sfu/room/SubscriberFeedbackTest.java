package dev.convene.sfu.room;

import static org.assertj.core.api.Assertions.assertThat;

import dev.convene.media.core.rtcp.RtcpFir;
import dev.convene.media.core.rtcp.RtcpNack;
import dev.convene.media.core.rtcp.RtcpPli;
import dev.convene.media.core.rtcp.RtcpReceiverReport;
import dev.convene.media.core.rtcp.RtcpRemb;
import dev.convene.media.core.rtcp.RtcpTransportFeedback;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A subscriber's compound RTCP (RR, then feedback) read into keyframe requests and NACKs. */
class SubscriberFeedbackTest {

    @Test
    void findsPliFirAndNacksInACompoundPacket() {
        byte[] buf = new byte[300];
        int off = 3;
        int len = RtcpReceiverReport.write(buf, off, 0x1111);
        len += RtcpPli.write(buf, off + len, 0x1111, 0xAAAA);
        len += RtcpNack.write(buf, off + len, 0x1111, 0xBBBB, new int[] {65_535, 0, 1, 40}, 4);
        len += RtcpFir.write(buf, off + len, 0x1111, 0xCCCC, 7);
        len += RtcpTransportFeedback.write(buf, off + len, 0x1111, 0, 65_535, 0, new long[] {64_000, -1}, 2);
        len += RtcpRemb.write(buf, off + len, 0x1111, 300_000, new long[] {0xAAAA}, 1);

        List<String> seen = new ArrayList<>();
        new SubscriberFeedback().read(buf, off, len, new SubscriberFeedback.Handler() {
            @Override
            public void onKeyframeRequest(long mediaSsrc) {
                seen.add("keyframe " + Long.toHexString(mediaSsrc));
            }

            @Override
            public void onNack(long mediaSsrc, RtcpNack nack) {
                int[] lost = new int[16];
                int n = nack.lostSequenceNumbers(lost);
                seen.add("nack " + Long.toHexString(mediaSsrc) + " " + java.util.Arrays.toString(java.util.Arrays.copyOf(lost, n)));
            }

            @Override
            public void onTransportFeedback(RtcpTransportFeedback feedback) {
                seen.add("transport-cc " + feedback.baseSequenceNumber() + "+" + feedback.packetStatusCount());
            }

            @Override
            public void onRemb(long bitsPerSecond) {
                seen.add("remb " + bitsPerSecond);
            }
        });

        assertThat(seen).containsExactly("keyframe aaaa", "nack bbbb [65535, 0, 1, 40]", "keyframe cccc",
                "transport-cc 65535+2", "remb 300000");
    }
}
