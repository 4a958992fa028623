package dev.convene.media.routing;

import static dev.convene.media.routing.TestPackets.MS;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BitrateMeterTest {

    @Test
    void measuresTheLastSecondAndForgetsWhatIsOlder() {
        BitrateMeter meter = new BitrateMeter();
        for (long t = 0; t < 1_000 * MS; t += 10 * MS) {
            meter.record(1250, t); // 125 000 bytes/s = 1 Mbit/s
        }
        assertThat(meter.bitsPerSecond(999 * MS)).isEqualTo(1_000_000);
        assertThat(meter.bitsPerSecond(1_450 * MS)).isEqualTo(500_000);
        assertThat(meter.bitsPerSecond(5_000 * MS)).isZero();
    }
}
