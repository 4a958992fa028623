package dev.convene.media.core.rtcp;

import static dev.convene.media.core.Hex.at;
import static dev.convene.media.core.Hex.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RtcpCompoundIteratorTest {
    private static final int BASE = 9;

    /** RFC 3550 §6.1: a compound packet of RR (no blocks), SDES (one CNAME chunk) and BYE. */
    private static final String COMPOUND =
            "80 C9 0001 11223344"                          // RR, RC=0, length 1
            + "81 CA 0003 11223344 01 03 616263 00 0000"   // SDES, SC=1: CNAME "abc", end, pad
            + "81 CB 0001 11223344";                       // BYE, SC=1

    private final RtcpCompoundIterator iterator = new RtcpCompoundIterator();

    @Test
    void walksEachPacketOfACompound() {
        byte[] raw = bytes(COMPOUND);
        byte[] buf = at(BASE, raw);
        iterator.reset(buf, BASE, raw.length);
        List<String> seen = new ArrayList<>();
        while (iterator.next()) {
            RtcpPacket p = iterator.packet();
            seen.add(p.type() + "/" + p.count() + "/" + p.length() + "/" + Long.toHexString(p.senderSsrc()));
        }
        assertThat(seen).containsExactly("201/0/8/11223344", "202/1/16/11223344", "203/1/8/11223344");
        assertThat(iterator.malformed()).isFalse();
    }

    @Test
    void stopsAndFlagsAtATruncatedPacket() {
        byte[] raw = bytes(COMPOUND);
        iterator.reset(raw, 0, raw.length - 1);
        int count = 0;
        while (iterator.next()) {
            count++;
        }
        assertThat(count).isEqualTo(2);
        assertThat(iterator.malformed()).isTrue();
    }

    @Test
    void flagsWrongVersionAndBadPadding() {
        iterator.reset(bytes("40 C9 0001 11223344"), 0, 8);
        assertThat(iterator.next()).isFalse();
        assertThat(iterator.malformed()).isTrue();

        RtcpPacket packet = new RtcpPacket();
        // RFC 3550 §6.4.1: the P bit means the last octet counts padding; 0 or more than the body is invalid.
        assertThat(packet.wrap(bytes("A0 C9 0001 11223300"), 0, 8)).isFalse();
        assertThat(packet.wrap(bytes("A0 C9 0001 11223305"), 0, 8)).isFalse();
        assertThat(packet.wrap(bytes("A0 C9 0002 11223344 00000004"), 0, 12)).isTrue();
        assertThat(packet.paddingLength()).isEqualTo(4);
        assertThat(packet.contentLength()).isEqualTo(8);
    }

    @Test
    void rangeOutsideTheBufferIsMalformed() {
        iterator.reset(new byte[4], 2, 4);
        assertThat(iterator.next()).isFalse();
        assertThat(iterator.malformed()).isTrue();
        iterator.reset(new byte[0], 0, 0);
        assertThat(iterator.next()).isFalse();
        assertThat(iterator.malformed()).isFalse();
    }

    @Test
    void randomBytesNeverThrow() {
        Random random = new Random(42);
        byte[] buf = new byte[128];
        RtcpSenderReport sr = new RtcpSenderReport();
        RtcpReceiverReport rr = new RtcpReceiverReport();
        RtcpBye bye = new RtcpBye();
        RtcpNack nack = new RtcpNack();
        RtcpPli pli = new RtcpPli();
        RtcpFir fir = new RtcpFir();
        RtcpRemb remb = new RtcpRemb();
        RtcpTransportFeedback twcc = new RtcpTransportFeedback();
        int[] lost = new int[64];
        int packets = 0;
        for (int i = 0; i < 200_000; i++) {
            random.nextBytes(buf);
            buf[0] = (byte) (0x80 | buf[0] & 0x3F);
            buf[1] = (byte) (200 + random.nextInt(8));
            buf[2] = 0;
            buf[3] = (byte) random.nextInt(12);
            if (random.nextBoolean()) {
                buf[12] = 'R';
                buf[13] = 'E';
                buf[14] = 'M';
                buf[15] = 'B';
            }
            int off = random.nextInt(8);
            iterator.reset(buf, off, random.nextInt(buf.length - off + 1));
            while (iterator.next()) {
                packets++;
                RtcpPacket p = iterator.packet();
                p.senderSsrc();
                p.mediaSsrc();
                p.isRemb();
                if (sr.wrap(p)) {
                    for (int b = 0; b < sr.reportBlockCount(); b++) {
                        sr.blockCumulativeLost(b);
                        sr.reportBlock(b);
                    }
                    sr.ntpTimestamp();
                    sr.octetCount();
                }
                if (rr.wrap(p)) {
                    for (int b = 0; b < rr.reportBlockCount(); b++) {
                        rr.blockDelaySinceLastSenderReport(b);
                    }
                }
                if (bye.wrap(p)) {
                    for (int b = 0; b < bye.ssrcCount(); b++) {
                        bye.ssrc(b);
                    }
                }
                if (nack.wrap(p)) {
                    assertThat(nack.lostSequenceNumbers(lost)).isLessThanOrEqualTo(lost.length);
                    nack.forEachLost(seq -> assertThat(seq).isBetween(0, 0xFFFF));
                }
                if (pli.wrap(p)) {
                    pli.mediaSsrc();
                }
                if (fir.wrap(p)) {
                    for (int e = 0; e < fir.entryCount(); e++) {
                        fir.entrySequenceNumber(e);
                    }
                }
                if (remb.wrap(p)) {
                    assertThat(remb.bitrate()).isNotNegative();
                    for (int s = 0; s < remb.ssrcCount(); s++) {
                        remb.ssrc(s);
                    }
                }
                if (twcc.wrap(p)) {
                    twcc.referenceTime();
                }
            }
        }
        assertThat(packets).isPositive();
    }
}
