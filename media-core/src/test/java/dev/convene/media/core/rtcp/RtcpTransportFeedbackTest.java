package dev.convene.media.core.rtcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.convene.media.core.Hex;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RtcpTransportFeedbackTest {

    record Seen(int seq, boolean received, long arrivalMicros) {}

    private static List<Seen> read(byte[] buf, int off, int len) {
        RtcpTransportFeedback twcc = new RtcpTransportFeedback();
        assertThat(twcc.wrap(buf, off, len)).isTrue();
        List<Seen> seen = new ArrayList<>();
        assertThat(twcc.read((s, r, a) -> seen.add(new Seen(s, r, a)))).isTrue();
        return seen;
    }

    /**
     * A run-length chunk and a 1-bit status vector by hand (draft §3.1.3, §3.1.4): base 0xFFFE,
     * 5 packets: run of 2 "small delta", then vector 1,0,1 — so the sequence wraps past 65535.
     */
    @Test
    void runLengthAndOneBitVectorAcrossTheSequenceWrap() {
        byte[] packet = Hex.bytes("8f cd 00 06"   // RTPFB FMT 15, 7 words
                + "00 00 00 01  00 00 00 02"         // sender, media SSRC
                + "ff fe 00 05  00 00 02 09"         // base 65534, count 5, ref time 2 (128 ms), fb count 9
                + "20 02"                            // run chunk: symbol 01 (small), length 2
                + "a8 00"                            // 1-bit vector: 1 0 1 (then 11 unused zeros)
                + "04 08 10 00");                    // deltas 1 ms, 2 ms, 4 ms; padding
        byte[] framed = new byte[packet.length + 10];
        System.arraycopy(packet, 0, framed, 3, packet.length);
        assertThat(read(framed, 3, packet.length)).containsExactly(
                new Seen(65534, true, 129_000), new Seen(65535, true, 131_000), new Seen(0, true, 135_000),
                new Seen(1, false, 0), new Seen(2, true, 135_000));
    }

    @Test
    void writtenFeedbackReadsBackWithLargeAndNegativeDeltas() {
        long[] arrivals = {1_000_000, -1, 1_000_250, 1_100_000, 1_050_000, -1, -1, 1_050_500, 10_000_000};
        byte[] buf = new byte[RtcpTransportFeedback.maxLength(arrivals.length) + 5];
        int len = RtcpTransportFeedback.write(buf, 5, 7, 8, 65530, 3, arrivals, arrivals.length);
        List<Seen> seen = read(buf, 5, len);
        assertThat(seen).hasSize(arrivals.length);
        assertThat(seen.get(0).seq()).isEqualTo(65530);
        assertThat(seen.get(8).seq()).isEqualTo(2);
        long origin = seen.get(0).arrivalMicros() - arrivals[0];
        for (int i = 0; i < 8; i++) {
            assertThat(seen.get(i).received()).isEqualTo(arrivals[i] >= 0);
            if (arrivals[i] >= 0) {
                assertThat(seen.get(i).arrivalMicros() - origin).isEqualTo(arrivals[i]);
            }
        }
        assertThat(seen.get(8).received()).as("8 s after the previous does not fit 16 bits of 250 µs").isFalse();
    }

    @Test
    void malformedFeedbackIsRefusedNotThrown() {
        byte[] reserved = Hex.bytes("8f cd 00 05  00 00 00 01  00 00 00 02  00 00 00 01  00 00 00 00  60 01 00 00");
        RtcpTransportFeedback twcc = new RtcpTransportFeedback();
        assertThat(twcc.wrap(reserved, 0, reserved.length)).isTrue();
        assertThat(twcc.read(null)).as("symbol 11 is reserved").isFalse();
        byte[] short_ = Hex.bytes("8f cd 00 05  00 00 00 01  00 00 00 02  00 00 00 30  00 00 00 00  20 30 00 00");
        assertThat(twcc.wrap(short_, 0, short_.length)).isTrue();
        assertThat(twcc.read(null)).as("48 small deltas do not fit in 2 bytes").isFalse();
    }
}
