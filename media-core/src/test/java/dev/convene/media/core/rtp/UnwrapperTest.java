package dev.convene.media.core.rtp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UnwrapperTest {

    @Test
    void sequenceNumbersContinueAcrossWrap() {
        SequenceNumberUnwrapper unwrapper = new SequenceNumberUnwrapper();
        assertThat(unwrapper.unwrap(65533)).isEqualTo(65533);
        assertThat(unwrapper.unwrap(65534)).isEqualTo(65534);
        assertThat(unwrapper.unwrap(65535)).isEqualTo(65535);
        assertThat(unwrapper.unwrap(0)).isEqualTo(65536);
        assertThat(unwrapper.unwrap(1)).isEqualTo(65537);
        assertThat(unwrapper.highest()).isEqualTo(65537);
    }

    @Test
    void reorderedSequenceNumbersLandBehindTheHighest() {
        SequenceNumberUnwrapper unwrapper = new SequenceNumberUnwrapper();
        unwrapper.unwrap(65534);
        assertThat(unwrapper.unwrap(1)).isEqualTo(65537);
        assertThat(unwrapper.unwrap(65535)).isEqualTo(65535); // late, from before the wrap
        assertThat(unwrapper.unwrap(0)).isEqualTo(65536);
        assertThat(unwrapper.unwrap(2)).isEqualTo(65538);
        assertThat(unwrapper.highest()).isEqualTo(65538);
    }

    @Test
    void packetBeforeTheFirstMayGoNegative() {
        SequenceNumberUnwrapper unwrapper = new SequenceNumberUnwrapper();
        assertThat(unwrapper.unwrap(2)).isEqualTo(2);
        assertThat(unwrapper.unwrap(65535)).isEqualTo(-1);
        assertThat(unwrapper.highest()).isEqualTo(2);
    }

    @Test
    void sequenceNumbersWrapManyTimes() {
        SequenceNumberUnwrapper unwrapper = new SequenceNumberUnwrapper();
        long expected = 100;
        unwrapper.unwrap(100);
        for (int i = 0; i < 5 * 65536; i += 1000) {
            expected += 1000;
            assertThat(unwrapper.unwrap((int) (expected & 0xFFFF))).isEqualTo(expected);
        }
        unwrapper.reset();
        assertThat(unwrapper.started()).isFalse();
        assertThat(unwrapper.unwrap(7)).isEqualTo(7);
    }

    @Test
    void timestampsContinueAcrossWrapAndReorder() {
        TimestampUnwrapper unwrapper = new TimestampUnwrapper();
        assertThat(unwrapper.unwrap(0xFFFF_F000L)).isEqualTo(0xFFFF_F000L);
        assertThat(unwrapper.unwrap(0x0000_0BB8L)).isEqualTo(0x1_0000_0BB8L);
        assertThat(unwrapper.unwrap(0xFFFF_FA00L)).isEqualTo(0xFFFF_FA00L);
        assertThat(unwrapper.unwrap(0x1_0000_1770L)).isEqualTo(0x1_0000_1770L); // only the low 32 bits count
        assertThat(unwrapper.highest()).isEqualTo(0x1_0000_1770L);
    }

    @Test
    void timestampsWrapManyTimes() {
        TimestampUnwrapper unwrapper = new TimestampUnwrapper();
        long expected = 0;
        unwrapper.unwrap(0);
        for (int i = 0; i < 40; i++) {
            expected += 0x4000_0000L - 3;
            assertThat(unwrapper.unwrap(expected & 0xFFFFFFFFL)).isEqualTo(expected);
        }
    }
}
