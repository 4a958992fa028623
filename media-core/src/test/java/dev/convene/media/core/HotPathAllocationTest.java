package dev.convene.media.core;

import static dev.convene.media.core.Hex.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.convene.media.core.codec.Vp8PayloadDescriptor;
import dev.convene.media.core.rtcp.RtcpCompoundIterator;
import dev.convene.media.core.rtcp.RtcpNack;
import dev.convene.media.core.rtp.AudioLevelExtension;
import dev.convene.media.core.rtp.RtpPacket;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/** The per-packet path must not allocate: parse, look up extensions, rewrite, walk RTCP. */
class HotPathAllocationTest {

    @Test
    void parsingAndRewritingAllocateNothing() {
        assumeTrue(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled());

        byte[] rtp = bytes("90 E0 0001 00000001 00000002 BEDE 0001 10 AA 00 00 90 C0 80 05 07 10 02 00");
        byte[] rtcp = bytes("81 CD 0004 00000001 00000002 0064 8005 FFFF 0001");
        RtpPacket packet = new RtpPacket();
        Vp8PayloadDescriptor vp8 = new Vp8PayloadDescriptor();
        RtcpCompoundIterator iterator = new RtcpCompoundIterator();
        RtcpNack nack = new RtcpNack();
        int[] lost = new int[32];

        long sink = run(rtp, rtcp, packet, vp8, iterator, nack, lost, 20_000); // warm up
        long before = threads.getCurrentThreadAllocatedBytes();
        sink += run(rtp, rtcp, packet, vp8, iterator, nack, lost, 20_000);
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;

        assertThat(sink).isPositive();
        // A few hundred bytes of slack for the measurement itself; one allocation per packet would be >= 320 KB.
        assertThat(allocated).isLessThan(1024);
    }

    private static long run(byte[] rtp, byte[] rtcp, RtpPacket packet, Vp8PayloadDescriptor vp8,
                            RtcpCompoundIterator iterator, RtcpNack nack, int[] lost, int rounds) {
        long sink = 0;
        for (int i = 0; i < rounds; i++) {
            packet.wrap(rtp, 0, rtp.length);
            sink += AudioLevelExtension.level(packet, 1) + packet.ssrc() + packet.timestamp();
            packet.setSequenceNumber(i);
            vp8.wrap(rtp, packet.payloadOffset(), packet.payloadLength());
            vp8.setPictureId(i);
            sink += vp8.isKeyframe() ? 1 : 0;
            iterator.reset(rtcp, 0, rtcp.length);
            while (iterator.next()) {
                if (nack.wrap(iterator.packet())) {
                    sink += nack.lostSequenceNumbers(lost);
                }
            }
        }
        return sink;
    }
}
