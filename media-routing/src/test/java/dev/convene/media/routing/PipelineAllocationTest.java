package dev.convene.media.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.convene.media.core.codec.Codec;
import dev.convene.media.core.rtp.RtpPacket;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * The receive stages and a leg with retransmission allocate nothing per packet in steady state
 * (once the retransmission buffer's slots are in use): with losses, NACKs and RTX in the mix.
 */
class PipelineAllocationTest {

    private final InboundStream inbound = new InboundStream(InboundStream.Config.of(Codec.VP8, 96, 97, true));
    private final OutboundStream leg = new OutboundStream(
            new RtpStreamRewriter(9, 90_000, PayloadTypeMap.of(96, 100, Codec.VP8)),
            new Retransmitter(Retransmitter.Settings.defaults(), 10, 101, 0));
    private final byte[] rx = new byte[1600];
    private final byte[] tx = new byte[1600];
    private final RtpPacket in = new RtpPacket();
    private final RtpPacket out = new RtpPacket();
    private final int[] nacks = new int[64];

    @Test
    void steadyStateAllocatesNothing() {
        assumeTrue(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled());
        inbound.setMediaSsrc(7);
        leg.rewriter().switchTo(7);

        long work = run(0, 20_000);
        long before = threads.getCurrentThreadAllocatedBytes();
        work += run(20_000, 20_000);
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;

        assertThat(inbound.nack().requested()).as("NACKs were generated").isPositive();
        assertThat(leg.retransmitter().sent()).as("RTX was sent").isPositive();
        assertThat(work).isPositive();
        assertThat(allocated).isLessThan(1024);
    }

    private long run(int from, int count) {
        long work = 0;
        for (int i = from; i < from + count; i++) {
            long now = i * 3_000_000L;
            if (i % 50 == 7) {
                continue; // lost
            }
            int len = write(i);
            in.wrap(rx, 0, len);
            if (inbound.onRtp(in, now) == InboundStream.Result.ROUTE) {
                System.arraycopy(rx, 0, tx, 0, in.length());
                out.wrap(tx, 0, in.length());
                if (leg.forward(out, now).isForward()) {
                    work++;
                }
            }
            if (i % 7 == 0) {
                work += inbound.collectNacks(now, nacks);
            }
            if (i % 50 == 20) {
                work += leg.retransmit(i - 12 & 0xFFFF, now, tx, 0);
            }
        }
        return work;
    }

    /** A VP8 packet of sequence number {@code i}: a key frame every 100th. */
    private int write(int i) {
        rx[0] = (byte) 0x80;
        rx[1] = 96;
        rx[2] = (byte) (i >>> 8);
        rx[3] = (byte) i;
        rx[4] = (byte) (i >>> 8);
        rx[5] = (byte) i;
        rx[6] = 0;
        rx[7] = 0;
        rx[8] = 0;
        rx[9] = 0;
        rx[10] = 0;
        rx[11] = 7;
        rx[12] = 0x10;
        rx[13] = (byte) (i % 100 == 0 ? 0x10 : 0x11);
        for (int k = 14; k < 1000; k++) {
            rx[k] = (byte) k;
        }
        return 1000;
    }
}
