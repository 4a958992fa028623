package dev.convene.media.core.rtcp;

import dev.convene.media.core.Bytes;
import java.util.Objects;
import java.util.function.IntConsumer;

/**
 * Generic NACK, RTPFB FMT 1 (RFC 4585 §6.2.1): a list of (PID, BLP) entries; PID is a lost
 * sequence number and bit i of BLP (least significant first) marks PID + i + 1 lost too.
 *
 * <pre>
 * |V=2|P|  FMT=1  |   PT=205      |          length               |
 * |                  SSRC of packet sender                        |
 * |                  SSRC of media source                         |
 * |            PID                |             BLP               |
 * :                              ...                              :
 * </pre>
 */
public final class RtcpNack {
    static final int FIXED_LENGTH = 12;
    static final int FCI_LENGTH = 4;

    private final RtcpPacket header = new RtcpPacket();

    public boolean wrap(byte[] buf, int off, int len) {
        if (!header.wrap(buf, off, len) || !header.isNack() || header.contentLength() < FIXED_LENGTH) {
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

    /** Number of (PID, BLP) entries. */
    public int entryCount() { return (header.contentLength() - FIXED_LENGTH) / FCI_LENGTH; }

    public int packetId(int index) { return Bytes.u16(header.buffer(), entry(index)); }

    public int bitmask(int index) { return Bytes.u16(header.buffer(), entry(index) + 2); }

    /** Total sequence numbers reported lost (duplicates across entries counted twice). */
    public int lostCount() {
        int count = 0;
        for (int i = 0; i < entryCount(); i++) {
            count += 1 + Integer.bitCount(bitmask(i));
        }
        return count;
    }

    /** Calls {@code consumer} with every lost sequence number, in packet order. */
    public void forEachLost(IntConsumer consumer) {
        for (int i = 0; i < entryCount(); i++) {
            int pid = packetId(i);
            int blp = bitmask(i);
            consumer.accept(pid);
            for (int bit = 0; bit < 16; bit++) {
                if ((blp & 1 << bit) != 0) {
                    consumer.accept(pid + bit + 1 & 0xFFFF);
                }
            }
        }
    }

    /**
     * Writes lost sequence numbers into {@code out} (a reusable array), in packet order; returns
     * how many were written, at most {@code out.length} — compare with {@link #lostCount()}.
     */
    public int lostSequenceNumbers(int[] out) {
        int n = 0;
        for (int i = 0; i < entryCount() && n < out.length; i++) {
            int pid = packetId(i);
            int blp = bitmask(i);
            out[n++] = pid;
            for (int bit = 0; bit < 16 && n < out.length; bit++) {
                if ((blp & 1 << bit) != 0) {
                    out[n++] = pid + bit + 1 & 0xFFFF;
                }
            }
        }
        return n;
    }

    private int entry(int index) {
        if (index < 0 || index >= entryCount()) {
            throw new IndexOutOfBoundsException(index);
        }
        return header.offset() + FIXED_LENGTH + FCI_LENGTH * index;
    }

    /** Bytes {@link #write} needs for {@code sequenceNumbers[0..count)}. */
    public static int length(int[] sequenceNumbers, int count) {
        return FIXED_LENGTH + FCI_LENGTH * pack(sequenceNumbers, count, null, 0);
    }

    /**
     * Writes a NACK for {@code sequenceNumbers[0..count)}, packing each number that follows an
     * entry's PID by 1–16 into its BLP. Any order is correct; ascending order (mod 2^16) packs
     * tightest. Returns the length written. {@code count} must be at least 1.
     */
    public static int write(byte[] buf, int off, long senderSsrc, long mediaSsrc, int[] sequenceNumbers, int count) {
        Objects.checkFromIndexSize(0, count, sequenceNumbers.length);
        if (count < 1) {
            throw new IllegalArgumentException("a NACK needs at least one sequence number");
        }
        int length = length(sequenceNumbers, count);
        Objects.checkFromIndexSize(off, length, buf.length);
        RtcpPacket.writeHeader(buf, off, RtcpPacket.FMT_NACK, RtcpPacket.RTPFB, length);
        Bytes.put32(buf, off + 4, senderSsrc);
        Bytes.put32(buf, off + 8, mediaSsrc);
        pack(sequenceNumbers, count, buf, off + FIXED_LENGTH);
        return length;
    }

    /** Packs into FCI entries at {@code buf[at]} (or only counts them when {@code buf} is null). */
    private static int pack(int[] seqs, int count, byte[] buf, int at) {
        int entries = 0;
        int pid = -1;
        int blp = 0;
        for (int i = 0; i < count; i++) {
            int seq = seqs[i] & 0xFFFF;
            if (pid >= 0) {
                int distance = seq - pid & 0xFFFF;
                if (distance == 0) {
                    continue;
                }
                if (distance <= 16) {
                    blp |= 1 << distance - 1;
                    continue;
                }
                if (buf != null) {
                    Bytes.put16(buf, at + FCI_LENGTH * entries, pid);
                    Bytes.put16(buf, at + FCI_LENGTH * entries + 2, blp);
                }
                entries++;
            }
            pid = seq;
            blp = 0;
        }
        if (pid >= 0) {
            if (buf != null) {
                Bytes.put16(buf, at + FCI_LENGTH * entries, pid);
                Bytes.put16(buf, at + FCI_LENGTH * entries + 2, blp);
            }
            entries++;
        }
        return entries;
    }
}
