package dev.convene.media.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.convene.media.core.codec.Codec;
import dev.convene.media.core.rtp.RtpPacket;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

class RtpStreamRewriterAllocationTest {

    @Test
    void rewritingAllocatesNothing() {
        assumeTrue(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled());

        RtpStreamRewriter rewriter = new RtpStreamRewriter(1, 90_000, PayloadTypeMap.of(96, 100, Codec.VP8));
        // RFC 3550 header + RFC 7741 descriptor with a 15-bit PictureID and TL0PICIDX; key frame.
        byte[] template = {(byte) 0x80, 96, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7,
                (byte) 0x90, (byte) 0xC0, (byte) 0x80, 1, 1, 0x10, 2, 0};
        byte[] buf = new byte[template.length];
        RtpPacket packet = new RtpPacket();
        rewriter.switchTo(7);

        long forwarded = run(rewriter, template, buf, packet, 0, 20_000);
        long before = threads.getCurrentThreadAllocatedBytes();
        forwarded += run(rewriter, template, buf, packet, 20_000, 20_000);
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;

        assertThat(forwarded).isEqualTo(40_000);
        assertThat(allocated).isLessThan(1024);
    }

    private static long run(RtpStreamRewriter rewriter, byte[] template, byte[] buf, RtpPacket packet, int from, int count) {
        long forwarded = 0;
        for (int i = from; i < from + count; i++) {
            System.arraycopy(template, 0, buf, 0, template.length);
            buf[2] = (byte) (i >>> 8);
            buf[3] = (byte) i;
            buf[4] = (byte) (i >>> 8);
            buf[5] = (byte) i;
            packet.wrap(buf, 0, buf.length);
            if (rewriter.rewrite(packet, i * 1_000_000L).isForward()) {
                forwarded++;
            }
        }
        return forwarded;
    }
}
