package dev.convene.media.core.rtcp;

import dev.convene.media.core.Bytes;
import java.util.Objects;

/** Picture loss indication, PSFB FMT 1 (RFC 4585 §6.3.1): the common feedback header, no FCI. */
public final class RtcpPli {
    public static final int LENGTH = 12;

    private final RtcpPacket header = new RtcpPacket();

    public boolean wrap(byte[] buf, int off, int len) {
        if (!header.wrap(buf, off, len) || !header.isPli() || header.contentLength() < LENGTH) {
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

    /** Writes a PLI at {@code buf[off]}; returns {@value #LENGTH}. */
    public static int write(byte[] buf, int off, long senderSsrc, long mediaSsrc) {
        Objects.checkFromIndexSize(off, LENGTH, buf.length);
        RtcpPacket.writeHeader(buf, off, RtcpPacket.FMT_PLI, RtcpPacket.PSFB, LENGTH);
        Bytes.put32(buf, off + 4, senderSsrc);
        Bytes.put32(buf, off + 8, mediaSsrc);
        return LENGTH;
    }
}
