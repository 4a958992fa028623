package dev.convene.media.routing.rtcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.convene.media.core.rtcp.RtcpReportBlock;
import org.junit.jupiter.api.Test;

/** RFC 3550 A.1 (sequence numbers), A.3 (loss), A.8 (jitter), §6.4.1 (LSR/DLSR); time is a fake clock. */
class ReceiveStatisticsTest {
    private static final long SSRC = 0x1234_5678L;
    private static final long MS = 1_000_000L;

    private final ReceiveStatistics audio = new ReceiveStatistics(SSRC, 48_000);

    @Test
    void lossAcrossASequenceWrapWithReordering() {
        // 65530 … 65535, 0 … 9: 16 expected; 65534, 2 and 5 lost; 7 arrives after 8.
        int[] arrivals = {65530, 65531, 65532, 65533, 65535, 0, 1, 3, 4, 6, 8, 7, 9};
        long now = 0;
        for (int seq : arrivals) {
            audio.onPacket(seq, 960L * seq, 80, now += 20 * MS);
        }
        RtcpReportBlock block = audio.reportBlock(now);

        assertThat(audio.expected()).isEqualTo(16);
        assertThat(block.cumulativeLost()).isEqualTo(3);
        assertThat(block.extendedHighestSequenceNumber()).isEqualTo(1L << 16 | 9);
        assertThat(block.fractionLost()).isEqualTo(3 * 256 / 16);
        assertThat(audio.lastIntervalExpected()).isEqualTo(16);
        assertThat(audio.lastIntervalLost()).isEqualTo(3);

        // 2 turns up late: the next interval expected nothing new and received one more.
        audio.onPacket(2, 960L * 2, 80, now += MS);
        block = audio.reportBlock(now);
        assertThat(block.cumulativeLost()).isEqualTo(2);
        assertThat(block.fractionLost()).isZero();
        assertThat(audio.lastIntervalLost()).isZero();
    }

    @Test
    void aPacketReorderedBeforeTheFirstLowersTheBase() {
        audio.onPacket(10, 0, 80, 0);
        audio.onPacket(9, 0, 80, MS);
        audio.onPacket(11, 0, 80, 2 * MS);
        assertThat(audio.expected()).isEqualTo(3);
        assertThat(audio.cumulativeLost()).isZero();
    }

    @Test
    void duplicatesMakeCumulativeLossNegative() {
        audio.onPacket(1, 0, 80, 0);
        audio.onPacket(1, 0, 80, MS);
        assertThat(audio.reportBlock(MS).cumulativeLost()).isEqualTo(-1);
    }

    @Test
    void jitterFollowsA8() {
        // 20 ms packets, 960 ticks apart; packet 5 arrives 10 ms late.
        for (int i = 0; i <= 6; i++) {
            long arrival = 20 * MS * i + (i == 5 ? 10 * MS : 0);
            audio.onPacket(i, 1000 + 960L * i, 80, arrival);
        }
        // D(4,5) = 480 ticks: J = 480/16 = 30. D(5,6) = |480 - 960| = 480: J = 30 + (480 - 30)/16 = 58.125.
        assertThat(audio.jitter()).isEqualTo(58);
        assertThat(audio.jitterNanos()).isEqualTo(58_125L * 1_000_000L / 48_000);
    }

    @Test
    void steadyTransitHasNoJitterWhateverTheDelay() {
        for (int i = 0; i < 50; i++) {
            audio.onPacket(i, 960L * i, 80, 50 * MS + 20 * MS * i);
        }
        assertThat(audio.jitter()).isZero();
    }

    @Test
    void reportCarriesLsrAndDlsrOfTheLastSenderReport() {
        audio.onPacket(1, 0, 80, 0);
        assertThat(audio.reportBlock(MS).lastSenderReport()).isZero();

        long ntp = 0xE000_1234_5678_9ABCL;
        audio.onSenderReport(ntp, 1_000 * MS);
        RtcpReportBlock block = audio.reportBlock(1_250 * MS);
        assertThat(block.lastSenderReport()).isEqualTo(0x1234_5678L);
        assertThat(block.delaySinceLastSenderReport()).isEqualTo(65_536 / 4);
    }
}
