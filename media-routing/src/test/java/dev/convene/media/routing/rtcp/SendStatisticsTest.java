package dev.convene.media.routing.rtcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.convene.media.core.rtcp.NtpTimestamp;
import dev.convene.media.core.rtcp.RtcpSenderReport;
import org.junit.jupiter.api.Test;

class SendStatisticsTest {
    private static final long SSRC = 0xABCD_0001L;
    private static final long MS = 1_000_000L;
    private final SendStatistics video = new SendStatistics(SSRC, 90_000);
    private final LocalNtpClock clock = new LocalNtpClock(1_796_000_000L * 1_000_000_000L, 0);

    @Test
    void rttIsArrivalMinusSendTimeOfLsrMinusDlsr() {
        byte[] buf = new byte[64];
        long sentAt = 5_000 * MS;
        video.writeSenderReport(buf, 0, clock.ntp(sentAt), 1234, sentAt);
        long lsr = NtpTimestamp.compact(clock.ntp(sentAt));
        // The subscriber held the SR 20 ms before reporting; the report arrives 120 ms after we sent.
        long dlsr = NtpTimestamp.toShortUnits(20 * MS);
        ReceiverReportReading reading = video.onReportBlock(0, 0, 0, 0, lsr, dlsr, sentAt + 120 * MS);
        assertThat(reading.rttNanos()).isCloseTo(100 * MS, within(MS / 10));
        assertThat(video.lastRttNanos()).isEqualTo(reading.rttNanos());
    }

    @Test
    void noRttWithoutAnLsrWeSent() {
        assertThat(video.onReportBlock(0, 0, 0, 0, 0, 0, MS).rttNanos()).isEqualTo(-1);
        assertThat(video.onReportBlock(0, 0, 0, 0, 0x1111_2222L, 0, MS).rttNanos()).isEqualTo(-1);
    }

    @Test
    void rttAnswersAnyOfTheLastEightReports() {
        byte[] buf = new byte[64];
        for (int i = 0; i < 10; i++) {
            video.writeSenderReport(buf, 0, clock.ntp(i * 1000 * MS), 0, i * 1000 * MS);
        }
        long lsrOf3 = NtpTimestamp.compact(clock.ntp(3000 * MS));
        long lsrOf1 = NtpTimestamp.compact(clock.ntp(1000 * MS));
        assertThat(video.onReportBlock(0, 0, 0, 0, lsrOf3, 0, 3050 * MS).rttNanos()).isCloseTo(50 * MS, within(MS / 10));
        assertThat(video.onReportBlock(0, 0, 0, 0, lsrOf1, 0, 10_000 * MS).rttNanos()).as("forgotten").isEqualTo(-1);
    }

    @Test
    void senderReportCarriesTheLegsOwnCounts() {
        for (int seq = 0; seq < 10; seq++) {
            video.onPacketSent(seq, 1000);
        }
        byte[] buf = new byte[64];
        int len = video.writeSenderReport(buf, 3, clock.ntp(0), 0xFFFF_FFF0L, 0);
        RtcpSenderReport sr = new RtcpSenderReport();
        assertThat(sr.wrap(buf, 3, len)).isTrue();
        assertThat(sr.ssrc()).isEqualTo(SSRC);
        assertThat(sr.packetCount()).isEqualTo(10);
        assertThat(sr.octetCount()).isEqualTo(10_000);
        assertThat(sr.rtpTimestamp()).isEqualTo(0xFFFF_FFF0L);
        assertThat(sr.ntpTimestamp()).isEqualTo(clock.ntp(0));
    }

    @Test
    void downstreamLossLeavesOutGapsThatWereNeverSent() {
        for (int seq = 65_500; seq < 65_550; seq++) {
            video.onPacketSent(seq, 1000);
        }
        video.onReportBlock(0, 0, 65_549, 0, 0, 0, MS);
        // Next 100 (across the wrap): 5 lost upstream, never sent; the subscriber misses 3 more.
        for (int i = 50; i < 150; i++) {
            if (i < 100 || i >= 105) {
                video.onPacketSent(65_500 + i, 1000);
            }
        }
        ReceiverReportReading reading = video.onReportBlock(20, 8, 1L << 16 | 65_500 + 149 - 65_536, 900, 0, 0, 2 * MS);
        assertThat(reading.intervalExpected()).isEqualTo(100);
        assertThat(reading.intervalLost()).isEqualTo(3);
        assertThat(reading.fractionLost()).isEqualTo(20 / 256.0);
        assertThat(reading.jitterNanos()).isEqualTo(10 * MS);
    }
}
