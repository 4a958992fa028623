package dev.convene.media.core.rtcp;

/**
 * The 64-bit NTP timestamp of RTCP sender reports (RFC 3550 §4): seconds since 1900-01-01 in
 * the high 32 bits, a binary fraction of a second in the low 32 bits; and the "compact" middle
 * 32 bits that receivers echo as LSR, in 1/65536 s.
 */
public final class NtpTimestamp {
    private NtpTimestamp() {}

    /** Seconds from 1900-01-01 (NTP era 0) to 1970-01-01 (the Unix epoch). */
    public static final long UNIX_EPOCH_SECONDS = 2_208_988_800L;

    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    /** The NTP timestamp of a Unix time in nanoseconds (era 0, so valid until 2036). */
    public static long fromUnixNanos(long unixNanos) {
        long seconds = Math.floorDiv(unixNanos, NANOS_PER_SECOND);
        long nanos = Math.floorMod(unixNanos, NANOS_PER_SECOND);
        long fraction = (nanos << 32) / NANOS_PER_SECOND;
        return (seconds + UNIX_EPOCH_SECONDS) << 32 | fraction;
    }

    /** The Unix time in nanoseconds of an NTP timestamp (era 0). */
    public static long toUnixNanos(long ntp) {
        long seconds = (ntp >>> 32) - UNIX_EPOCH_SECONDS;
        long fraction = ntp & 0xFFFFFFFFL;
        return seconds * NANOS_PER_SECOND + (fraction * NANOS_PER_SECOND + (1L << 31) >>> 32);
    }

    /** The middle 32 bits (RFC 3550 §6.4.1 LSR): 16 bits of seconds, 16 bits of fraction. */
    public static long compact(long ntp) {
        return ntp >>> 16 & 0xFFFFFFFFL;
    }

    /** A duration in the 1/65536 s units of DLSR (rounded down, clamped to the 32-bit field). */
    public static long toShortUnits(long nanos) {
        if (nanos <= 0) {
            return 0;
        }
        long units = nanos / NANOS_PER_SECOND * 65_536 + (nanos % NANOS_PER_SECOND << 16) / NANOS_PER_SECOND;
        return Math.min(units, 0xFFFFFFFFL);
    }

    /** A duration of 1/65536 s units (DLSR, compact NTP differences) in nanoseconds. */
    public static long fromShortUnits(long units) {
        return (units >>> 16) * NANOS_PER_SECOND + ((units & 0xFFFF) * NANOS_PER_SECOND >>> 16);
    }
}
