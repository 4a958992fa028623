package dev.convene.media.core.rtcp;

import dev.convene.media.core.Bytes;
import java.util.Objects;

/**
 * Transport-wide congestion control feedback, RTPFB FMT 15
 * (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1): for each transport sequence number
 * from the base on, whether it arrived and, if so, its arrival time relative to the previous
 * arrival (250 µs units).
 *
 * <pre>
 * |      base sequence number     |      packet status count      |
 * |                 reference time                | fb pkt. count |
 * |          packet chunk         |         packet chunk          |
 * ...
 * |         recv delta            |  recv delta   | zero padding  |
 * </pre>
 *
 * <p>{@link #wrap} checks only the fixed fields; {@link #read} walks chunks and deltas with two
 * cursors and reports each packet to a {@link Visitor}, returning {@code false} on the first
 * thing that does not fit (a reserved symbol, a chunk or delta past the end). Nothing allocates.
 */
public final class RtcpTransportFeedback {
    static final int FIXED_LENGTH = 20;
    /** Units of the reference time: 64 ms. */
    public static final long REFERENCE_TIME_MICROS = 64_000;
    /** Units of a receive delta: 250 µs. */
    public static final long DELTA_MICROS = 250;

    static final int NOT_RECEIVED = 0;
    static final int SMALL_DELTA = 1;
    static final int LARGE_DELTA = 2;

    /** One packet of the feedback, in sequence order. */
    public interface Visitor {
        /**
         * @param sequenceNumber 16-bit transport sequence number
         * @param received       whether it arrived
         * @param arrivalMicros  if received: arrival time on the receiver's clock, µs from its
         *                       reference-time origin (signed; only differences mean something)
         */
        void onPacket(int sequenceNumber, boolean received, long arrivalMicros);
    }

    private final RtcpPacket header = new RtcpPacket();

    public boolean wrap(byte[] buf, int off, int len) {
        if (!header.wrap(buf, off, len) || !header.isTransportCc() || header.contentLength() < FIXED_LENGTH) {
            header.wrap(null, 0, 0);
            return false;
        }
        return true;
    }

    public boolean wrap(RtcpPacket packet) {
        return packet.buffer() != null && wrap(packet.buffer(), packet.offset(), packet.length());
    }

    public RtcpPacket packet() { return header; }

    public long senderSsrc() { return header.senderSsrc(); }

    public long mediaSsrc() { return header.mediaSsrc(); }

    public int baseSequenceNumber() { return Bytes.u16(header.buffer(), header.offset() + 12); }

    public int packetStatusCount() { return Bytes.u16(header.buffer(), header.offset() + 14); }

    /** Signed 24-bit, in multiples of 64 ms. */
    public int referenceTime() { return Bytes.u24(header.buffer(), header.offset() + 16) << 8 >> 8; }

    public int feedbackPacketCount() { return header.buffer()[header.offset() + 19] & 0xFF; }

    /**
     * Reports every packet of the feedback to {@code visitor}, in order. Returns {@code false} if
     * the feedback is malformed; the packets reported before the fault were well formed, but a
     * caller that wants all-or-nothing should check first with {@code read(null)}.
     */
    public boolean read(Visitor visitor) {
        byte[] buf = header.buffer();
        int end = header.offset() + header.contentLength();
        int count = packetStatusCount();
        // First cursor: where the chunks end and the deltas begin.
        int p = header.offset() + FIXED_LENGTH;
        int covered = 0;
        while (covered < count) {
            if (p + 2 > end) {
                return false;
            }
            covered += symbolsIn(Bytes.u16(buf, p));
            p += 2;
        }
        int delta = p;
        long arrival = referenceTime() * REFERENCE_TIME_MICROS;
        int sequence = baseSequenceNumber();
        int reported = 0;
        for (int c = header.offset() + FIXED_LENGTH; reported < count; c += 2) {
            int chunk = Bytes.u16(buf, c);
            int symbols = Math.min(symbolsIn(chunk), count - reported);
            for (int i = 0; i < symbols; i++) {
                int symbol = symbolAt(chunk, i);
                if (symbol == NOT_RECEIVED) {
                    if (visitor != null) {
                        visitor.onPacket(sequence, false, 0);
                    }
                } else if (symbol == SMALL_DELTA) {
                    if (delta + 1 > end) {
                        return false;
                    }
                    arrival += (buf[delta] & 0xFF) * DELTA_MICROS;
                    delta += 1;
                    if (visitor != null) {
                        visitor.onPacket(sequence, true, arrival);
                    }
                } else if (symbol == LARGE_DELTA) {
                    if (delta + 2 > end) {
                        return false;
                    }
                    arrival += (short) Bytes.u16(buf, delta) * DELTA_MICROS;
                    delta += 2;
                    if (visitor != null) {
                        visitor.onPacket(sequence, true, arrival);
                    }
                } else {
                    return false;
                }
                sequence = (sequence + 1) & 0xFFFF;
                reported++;
            }
        }
        return true;
    }

    /** Run length (13 bits) for a run chunk; 14 or 7 for a status vector. */
    private static int symbolsIn(int chunk) {
        if ((chunk & 0x8000) == 0) {
            return chunk & 0x1FFF;
        }
        return (chunk & 0x4000) == 0 ? 14 : 7;
    }

    private static int symbolAt(int chunk, int i) {
        if ((chunk & 0x8000) == 0) {
            return chunk >>> 13 & 0x3;
        }
        if ((chunk & 0x4000) == 0) {
            return chunk >>> (13 - i) & 0x1;
        }
        return chunk >>> (12 - 2 * i) & 0x3;
    }

    /** The largest feedback {@link #write} produces for {@code count} packets. */
    public static int maxLength(int count) {
        int chunks = (count + 6) / 7;
        return (FIXED_LENGTH + 2 * chunks + 2 * count + 3) & ~3;
    }

    /**
     * Writes feedback for {@code count} consecutive packets from {@code baseSequence};
     * {@code arrivalMicros[i]} is packet i's arrival time on the writer's clock, or a negative
     * value if it did not arrive. Uses 2-bit status vectors (7 packets a chunk); a delta that
     * does not fit 16 bits is written as "not received", as libwebrtc does. The first packet
     * {@code arrivalMicros[0..count)} must contain at least one arrival. Returns the length.
     */
    public static int write(byte[] buf, int off, long senderSsrc, long mediaSsrc, int baseSequence,
            int feedbackCount, long[] arrivalMicros, int count) {
        if (count <= 0 || count > 0xFFFF) {
            throw new IllegalArgumentException("feedback covers 1-65535 packets, got " + count);
        }
        Objects.checkFromIndexSize(0, count, arrivalMicros.length);
        int first = -1;
        for (int i = 0; i < count && first < 0; i++) {
            if (arrivalMicros[i] >= 0) {
                first = i;
            }
        }
        if (first < 0) {
            throw new IllegalArgumentException("feedback needs at least one received packet");
        }
        int max = maxLength(count);
        Objects.checkFromIndexSize(off, max, buf.length);
        long referenceTime = arrivalMicros[first] / REFERENCE_TIME_MICROS;
        int chunks = (count + 6) / 7;
        int delta = off + FIXED_LENGTH + 2 * chunks;
        long previous = referenceTime * REFERENCE_TIME_MICROS;
        for (int c = 0; c < chunks; c++) {
            int chunk = 0xC000;
            for (int i = 0; i < 7; i++) {
                int index = 7 * c + i;
                int symbol = NOT_RECEIVED;
                if (index < count && arrivalMicros[index] >= 0) {
                    long ticks = Math.floorDiv(arrivalMicros[index] - previous, DELTA_MICROS);
                    if (ticks >= 0 && ticks <= 0xFF) {
                        symbol = SMALL_DELTA;
                        buf[delta++] = (byte) ticks;
                    } else if (ticks >= Short.MIN_VALUE && ticks <= Short.MAX_VALUE) {
                        symbol = LARGE_DELTA;
                        Bytes.put16(buf, delta, (int) ticks);
                        delta += 2;
                    }
                    if (symbol != NOT_RECEIVED) {
                        // From the quantized time, so rounding errors do not add up.
                        previous += ticks * DELTA_MICROS;
                    }
                }
                chunk |= symbol << (12 - 2 * i);
            }
            Bytes.put16(buf, off + FIXED_LENGTH + 2 * c, chunk);
        }
        int length = (delta - off + 3) & ~3;
        for (int p = delta; p < off + length; p++) {
            buf[p] = 0;
        }
        RtcpPacket.writeHeader(buf, off, RtcpPacket.FMT_TWCC, RtcpPacket.RTPFB, length);
        Bytes.put32(buf, off + 4, senderSsrc);
        Bytes.put32(buf, off + 8, mediaSsrc);
        Bytes.put16(buf, off + 12, baseSequence);
        Bytes.put16(buf, off + 14, count);
        Bytes.put24(buf, off + 16, (int) referenceTime & 0xFFFFFF);
        buf[off + 19] = (byte) feedbackCount;
        return length;
    }
}
