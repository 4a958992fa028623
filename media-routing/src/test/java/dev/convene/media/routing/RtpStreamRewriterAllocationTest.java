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

    @Test
    void droppingVp9LayersAllocatesNothing() {
        assumeTrue(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled());

        dev.convene.media.routing.svc.SvcLayerFilter svc = new dev.convene.media.routing.svc.SvcLayerFilter();
        svc.setTarget(0, Integer.MAX_VALUE);
        RtpStreamRewriter rewriter = new RtpStreamRewriter(1, 90_000, PayloadTypeMap.of(98, 98, Codec.VP9), svc);
        // RFC 3550 header + RFC 9628 descriptor: I L B E (a one-packet layer frame), PictureID, TID/SID, TL0PICIDX.
        byte[] template = {(byte) 0x80, 98, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7,
                (byte) 0xAC, (byte) 0x80, 1, 0, 0, 1, 2, 3};
        byte[] buf = new byte[template.length];
        RtpPacket packet = new RtpPacket();
        rewriter.switchTo(7);

        long forwarded = runSvc(rewriter, template, buf, packet, 0, 30_000);
        long before = threads.getCurrentThreadAllocatedBytes();
        forwarded += runSvc(rewriter, template, buf, packet, 30_000, 30_000);
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;

        assertThat(forwarded).as("S0 of each of three layers").isEqualTo(20_000);
        assertThat(svc.droppedPackets()).isEqualTo(40_000);
        assertThat(allocated).isLessThan(1024);
    }

    /** Packet i is spatial layer i % 3 of picture i / 3 (a key picture first, then inter pictures). */
    private static long runSvc(RtpStreamRewriter rewriter, byte[] template, byte[] buf, RtpPacket packet, int from,
            int count) {
        long forwarded = 0;
        for (int i = from; i < from + count; i++) {
            System.arraycopy(template, 0, buf, 0, template.length);
            buf[2] = (byte) (i >>> 8);
            buf[3] = (byte) i;
            int picture = i / 3;
            buf[4] = (byte) (picture >>> 8);
            buf[5] = (byte) picture;
            if (i >= 3) {
                buf[12] |= 0x40;
            }
            buf[13] = (byte) (0x80 | picture >>> 8 & 0x7F);
            buf[14] = (byte) picture;
            buf[15] = (byte) ((i % 3) << 1);
            packet.wrap(buf, 0, buf.length);
            if (rewriter.rewrite(packet, i * 11_000_000L).isForward()) {
                forwarded++;
            }
        }
        return forwarded;
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
