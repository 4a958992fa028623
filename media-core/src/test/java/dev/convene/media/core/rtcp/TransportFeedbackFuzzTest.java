package dev.convene.media.core.rtcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.convene.media.core.Framed;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Transport-cc feedback from a subscriber (draft-holmer-rmcat-transport-wide-cc-extensions-01
 * §3.1): chunks and deltas are walked without reading outside the packet; a feedback that
 * reads cleanly reports exactly its status count, in sequence order; written back with our
 * writer it reads to the same packets and arrival times (to 250 µs from the first arrival).
 */
class TransportFeedbackFuzzTest {

    @FuzzTest
    void feedback(byte[] data) {
        Framed.check(data, TransportFeedbackFuzzTest::observe);
    }

    static List<Object> observe(byte[] buf, int off, int len) {
        List<Object> seen = new ArrayList<>();
        RtcpTransportFeedback twcc = new RtcpTransportFeedback();
        if (!twcc.wrap(buf, off, len)) {
            seen.add("not transport-cc");
            return seen;
        }
        int count = twcc.packetStatusCount();
        int base = twcc.baseSequenceNumber();
        long[] arrivals = new long[count];
        int[] next = {0};
        boolean[] ordered = {true};
        boolean ok = twcc.read((seq, received, arrival) -> {
            if (seq != (base + next[0] & 0xFFFF)) {
                ordered[0] = false;
            }
            arrivals[next[0]++] = received ? arrival : Long.MIN_VALUE;
        });
        assertThat(twcc.read(null)).as("a dry run agrees").isEqualTo(ok);
        assertThat(ordered[0]).isTrue();
        seen.add(List.of(ok, next[0], base, count, twcc.referenceTime(), twcc.feedbackPacketCount()));
        if (!ok) {
            return seen;
        }
        assertThat(next[0]).isEqualTo(count);
        seen.add(Arrays.toString(arrivals));
        rewrite(twcc, arrivals, count);
        return seen;
    }

    /** Our writer keeps every arrival whose delta fits; shifting to a non-negative clock keeps differences. */
    private static void rewrite(RtcpTransportFeedback twcc, long[] arrivals, int count) {
        long min = Long.MAX_VALUE;
        for (long a : arrivals) {
            if (a != Long.MIN_VALUE) {
                min = Math.min(min, a);
            }
        }
        if (count == 0 || min == Long.MAX_VALUE) {
            return;
        }
        long shift = RtcpTransportFeedback.REFERENCE_TIME_MICROS * 1000 - min;
        long[] written = new long[count];
        for (int i = 0; i < count; i++) {
            written[i] = arrivals[i] == Long.MIN_VALUE ? -1 : arrivals[i] + shift;
        }
        byte[] out = Framed.write(RtcpTransportFeedback.maxLength(count), (b, o) -> RtcpTransportFeedback.write(b, o,
                twcc.senderSsrc(), twcc.mediaSsrc(), twcc.baseSequenceNumber(), twcc.feedbackPacketCount(), written, count));
        RtcpTransportFeedback back = new RtcpTransportFeedback();
        assertThat(back.wrap(out, 0, out.length)).isTrue();
        assertThat(List.of(back.senderSsrc(), back.mediaSsrc(), back.baseSequenceNumber(), back.packetStatusCount(),
                back.feedbackPacketCount())).isEqualTo(List.of(twcc.senderSsrc(), twcc.mediaSsrc(),
                twcc.baseSequenceNumber(), count, twcc.feedbackPacketCount()));
        long[] read = new long[count];
        int[] i = {0};
        assertThat(back.read((seq, received, arrival) -> read[i[0]++] = received ? arrival : -1)).isTrue();
        for (int k = 0; k < count; k++) {
            if (read[k] >= 0) {
                assertThat(written[k]).as("only arrivals are reported as arrivals").isNotNegative();
                // The writer quantizes each delta from the previous quantized time: within one tick.
                assertThat(Math.abs(read[k] - written[k])).isLessThan(RtcpTransportFeedback.DELTA_MICROS);
            }
        }
    }
}
