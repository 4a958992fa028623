package dev.convene.media.routing.bwe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.convene.media.core.rtcp.RtcpTransportFeedback;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The SFU's transport-cc feedback to publishers (ADR 0031), read back with our own parser (the
 * one the estimator uses on subscribers' feedback, fuzzed in media-core): numbers across the
 * 16-bit wrap, losses reported as not received, arrival deltas within the 250 µs quantum, each
 * number reported once, a feedback per call, and no allocation on the loop.
 */
class TransportFeedbackRecorderTest {

    private static final long MS = 1_000_000L;
    private static final int OFFSET = 7;

    private final TransportFeedbackRecorder recorder = new TransportFeedbackRecorder(0x5EED);
    private final byte[] buf = new byte[OFFSET + RtcpTransportFeedback.maxLength(TransportFeedbackRecorder.MAX_PER_FEEDBACK)];
    private final RtcpTransportFeedback parser = new RtcpTransportFeedback();

    /** [sequence, received 0/1, arrival µs] as the parser reads them. */
    private List<long[]> readBack(int len) {
        assertThat(len).isPositive();
        assertThat(parser.wrap(buf, OFFSET, len)).isTrue();
        List<long[]> out = new ArrayList<>();
        assertThat(parser.read((seq, received, arrival) -> out.add(new long[] {seq, received ? 1 : 0, arrival}))).isTrue();
        assertThat(parser.senderSsrc()).isEqualTo(0x5EED);
        assertThat(parser.mediaSsrc()).isEqualTo(0xABCDL);
        return out;
    }

    @Test
    void reportsArrivalsAndLossesAcrossTheWrap() {
        long t = 10_000 * MS;
        long[] sent = new long[12];
        int n = 0;
        for (int s = 65_530; s < 65_530 + 12; s++) {
            int seq = s & 0xFFFF;
            t += 3 * MS + 130_000; // 3.13 ms apart
            sent[n++] = t;
            if (seq != 1) { // lost on the way
                recorder.onPacket(seq, t);
            }
        }
        List<long[]> feedback = readBack(recorder.write(buf, OFFSET, 0xABCD));
        assertThat(parser.baseSequenceNumber()).isEqualTo(65_530);
        assertThat(parser.packetStatusCount()).isEqualTo(12);
        assertThat(feedback).hasSize(12);
        for (int i = 0; i < 12; i++) {
            long[] p = feedback.get(i);
            assertThat(p[0]).isEqualTo(65_530 + i & 0xFFFF);
            assertThat(p[1]).as("received %d", p[0]).isEqualTo(p[0] == 1 ? 0 : 1);
        }
        // Deltas: what the publisher's estimator reads as inter-arrival times, within one quantum.
        long[] first = feedback.get(0);
        for (int i = 1; i < 12; i++) {
            long[] p = feedback.get(i);
            if (p[1] == 1) {
                long want = (sent[i] - sent[0]) / 1000;
                assertThat(p[2] - first[2]).isBetween(want - 250, want + 250);
            }
        }
        assertThat(recorder.write(buf, OFFSET, 0xABCD)).as("nothing new").isZero();
    }

    @Test
    void eachNumberIsReportedOnceAndALateOneIsNotReportedAgain() {
        long t = 1_000 * MS;
        for (int s = 100; s < 110; s++) {
            if (s != 105) {
                recorder.onPacket(s, t += 2 * MS);
            }
        }
        List<long[]> one = readBack(recorder.write(buf, OFFSET, 0xABCD));
        assertThat(one).hasSize(10);
        assertThat(one.get(5)).containsExactly(105, 0, one.get(5)[2]);
        int count = parser.feedbackPacketCount();

        recorder.onPacket(105, t += 2 * MS); // reordered past the feedback: reported lost already
        recorder.onPacket(110, t += 2 * MS);
        recorder.onPacket(111, t += 2 * MS);
        List<long[]> two = readBack(recorder.write(buf, OFFSET, 0xABCD));
        assertThat(parser.baseSequenceNumber()).isEqualTo(110);
        assertThat(two).hasSize(2).allMatch(p -> p[1] == 1);
        assertThat(parser.feedbackPacketCount()).isEqualTo(count + 1 & 0xFF);
        assertThat(recorder.written()).isEqualTo(2);
    }

    @Test
    void aBurstLargerThanOneFeedbackIsSplit() {
        long t = 1_000 * MS;
        int total = TransportFeedbackRecorder.MAX_PER_FEEDBACK + 300;
        for (int s = 0; s < total; s++) {
            recorder.onPacket(s, t += 100_000);
        }
        assertThat(readBack(recorder.write(buf, OFFSET, 0xABCD))).hasSize(TransportFeedbackRecorder.MAX_PER_FEEDBACK);
        assertThat(readBack(recorder.write(buf, OFFSET, 0xABCD))).hasSize(300);
        assertThat(parser.baseSequenceNumber()).isEqualTo(TransportFeedbackRecorder.MAX_PER_FEEDBACK);
    }

    @Test
    void recordingAndWritingAllocateNothing() {
        assumeTrue(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled());
        long t = 0;
        int seq = 60_000;
        long bytes = 0;
        for (int round = 0; round < 2; round++) {
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int feedback = 0; feedback < 2_000; feedback++) {
                for (int i = 0; i < 20; i++) {
                    if (i != 7) {
                        recorder.onPacket(seq & 0xFFFF, t += 1_000_000);
                    }
                    seq++;
                }
                recorder.write(buf, OFFSET, 0xABCD);
            }
            bytes = threads.getCurrentThreadAllocatedBytes() - before;
        }
        assertThat(recorder.written()).isEqualTo(4_000);
        assertThat(bytes).as("bytes allocated over 2,000 feedbacks after warm-up").isLessThan(1024);
    }
}
