package dev.convene.media.core.rtcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class NtpTimestampTest {

    @Test
    void unixEpochIsSecond2208988800OfEra0() {
        assertThat(NtpTimestamp.fromUnixNanos(0)).isEqualTo(2_208_988_800L << 32);
        // Half a second is half of the 32-bit fraction.
        assertThat(NtpTimestamp.fromUnixNanos(500_000_000L) & 0xFFFFFFFFL).isEqualTo(1L << 31);
    }

    @Test
    void roundTripsToWithinANanosecond() {
        long unixNanos = 1_796_000_000_123_456_789L; // 2026-12
        long ntp = NtpTimestamp.fromUnixNanos(unixNanos);
        assertThat(NtpTimestamp.toUnixNanos(ntp)).isCloseTo(unixNanos, within(1L));
    }

    @Test
    void compactIsTheMiddle32Bits() {
        // RFC 3550 §6.4.1: LSR is the middle 32 bits of the 64-bit NTP timestamp.
        assertThat(NtpTimestamp.compact(0x1122_3344_5566_7788L)).isEqualTo(0x3344_5566L);
    }

    @Test
    void shortUnitsAre1Over65536Seconds() {
        assertThat(NtpTimestamp.toShortUnits(1_000_000_000L)).isEqualTo(65_536);
        assertThat(NtpTimestamp.toShortUnits(250_000_000L)).isEqualTo(16_384);
        assertThat(NtpTimestamp.fromShortUnits(65_536 + 32_768)).isEqualTo(1_500_000_000L);
        assertThat(NtpTimestamp.toShortUnits(-5)).isZero();
    }
}
