package dev.convene.media.core.rtcp;

import static dev.convene.media.core.Hex.at;
import static dev.convene.media.core.Hex.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RtcpReportTest {
    private static final int BASE = 6;

    /**
     * RFC 3550 §6.4.1 SR with one report block: SSRC, NTP msw/lsw, RTP ts, packet and octet
     * counts, then ssrc_1 | fraction lost 0x40 | cumulative lost -2 | ext. highest seq |
     * jitter | LSR | DLSR.
     */
    @Test
    void parsesSenderReportWithOneBlock() {
        byte[] raw = bytes("81 C8 000C DEADBEEF"
                + "E1234567 89ABCDEF 00015F90 00000064 0000FA00"
                + "CAFEBABE 40 FFFFFE 0001FFFF 00000020 45678901 00010000");
        byte[] buf = at(BASE, raw);
        RtcpSenderReport sr = new RtcpSenderReport();
        assertThat(sr.wrap(buf, BASE, raw.length)).isTrue();
        assertThat(sr.ssrc()).isEqualTo(0xDEADBEEFL);
        assertThat(sr.ntpTimestamp()).isEqualTo(0xE123456789ABCDEFL);
        assertThat(sr.compactNtpTimestamp()).isEqualTo(0x456789ABL);
        assertThat(sr.rtpTimestamp()).isEqualTo(90000);
        assertThat(sr.packetCount()).isEqualTo(100);
        assertThat(sr.octetCount()).isEqualTo(64000);
        assertThat(sr.reportBlockCount()).isEqualTo(1);
        assertThat(sr.blockSsrc(0)).isEqualTo(0xCAFEBABEL);
        assertThat(sr.blockFractionLost(0)).isEqualTo(0x40);
        assertThat(sr.blockCumulativeLost(0)).isEqualTo(-2);
        assertThat(sr.blockExtendedHighestSequenceNumber(0)).isEqualTo(0x1FFFF);
        assertThat(sr.blockJitter(0)).isEqualTo(32);
        assertThat(sr.blockLastSenderReport(0)).isEqualTo(0x45678901L);
        assertThat(sr.blockDelaySinceLastSenderReport(0)).isEqualTo(65536);
        assertThatThrownBy(() -> sr.blockSsrc(1)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void rejectsReportWhoseBlocksDoNotFit() {
        // RC=2 but the length holds one block.
        byte[] raw = bytes("82 C9 0007 DEADBEEF CAFEBABE 40 000001 0001FFFF 00000020 45678901 00010000");
        assertThat(new RtcpReceiverReport().wrap(raw, 0, raw.length)).isFalse();
        assertThat(new RtcpSenderReport().wrap(raw, 0, raw.length)).isFalse(); // and it is an RR
        byte[] shortSr = bytes("80 C8 0001 DEADBEEF");
        assertThat(new RtcpSenderReport().wrap(shortSr, 0, shortSr.length)).isFalse();
    }

    /** RFC 3550 §6.4.2 RR; also exercises the 24-bit cumulative-loss sign extension both ways. */
    @Test
    void receiverReportRoundTrip() {
        RtcpReportBlock first = new RtcpReportBlock(0x11111111L, 255, 0x7FFFFF, 0x0003_0010L, 1234, 0xAABBCCDDL, 0x8000);
        RtcpReportBlock second = new RtcpReportBlock(0xFFFFFFFFL, 0, -5, 7, 0, 0, 0);
        byte[] buf = new byte[BASE + 64];
        int length = RtcpReceiverReport.write(buf, BASE, 0x01020304L, first, second);
        assertThat(length).isEqualTo(RtcpReceiverReport.length(2)).isEqualTo(56);
        assertThat(buf[BASE]).isEqualTo((byte) 0x82);
        assertThat(buf[BASE + 1]).isEqualTo((byte) 201);
        assertThat(buf[BASE + 3]).isEqualTo((byte) 13);

        RtcpReceiverReport rr = new RtcpReceiverReport();
        assertThat(rr.wrap(buf, BASE, length)).isTrue();
        assertThat(rr.ssrc()).isEqualTo(0x01020304L);
        assertThat(rr.reportBlockCount()).isEqualTo(2);
        assertThat(rr.reportBlock(0)).isEqualTo(first);
        assertThat(rr.reportBlock(1)).isEqualTo(second);
    }

    @Test
    void senderReportRoundTrip() {
        RtcpReportBlock block = new RtcpReportBlock(42, 12, 3, 70000, 9, 8, 7);
        byte[] buf = new byte[80];
        int length = RtcpSenderReport.write(buf, 3, 0xF0F0F0F0L, 0x1234_5678_9ABC_DEF0L, 0xFFFFFFFFL, 10, 20, block);
        assertThat(length).isEqualTo(52);
        RtcpSenderReport sr = new RtcpSenderReport();
        assertThat(sr.wrap(buf, 3, length)).isTrue();
        assertThat(sr.ssrc()).isEqualTo(0xF0F0F0F0L);
        assertThat(sr.ntpTimestamp()).isEqualTo(0x1234_5678_9ABC_DEF0L);
        assertThat(sr.rtpTimestamp()).isEqualTo(0xFFFFFFFFL);
        assertThat(sr.packetCount()).isEqualTo(10);
        assertThat(sr.octetCount()).isEqualTo(20);
        assertThat(sr.reportBlock(0)).isEqualTo(block);
        assertThatThrownBy(() -> RtcpSenderReport.write(new byte[30], 0, 1, 2, 3, 4, 5, block))
                .isInstanceOf(IndexOutOfBoundsException.class);
    }

    /** RFC 3550 §6.6 BYE with two SSRCs and the reason "bye". */
    @Test
    void parsesByeWithReason() {
        byte[] raw = bytes("82 CB 0003 00000001 00000002 03 627965");
        byte[] buf = at(BASE, raw);
        RtcpBye bye = new RtcpBye();
        assertThat(bye.wrap(buf, BASE, raw.length)).isTrue();
        assertThat(bye.ssrcCount()).isEqualTo(2);
        assertThat(bye.ssrc(0)).isEqualTo(1);
        assertThat(bye.ssrc(1)).isEqualTo(2);
        assertThat(bye.reasonLength()).isEqualTo(3);
        assertThat(new String(buf, bye.reasonOffset(), bye.reasonLength(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("bye");

        byte[] noReason = bytes("81 CB 0001 00000001");
        assertThat(bye.wrap(noReason, 0, noReason.length)).isTrue();
        assertThat(bye.reasonOffset()).isEqualTo(-1);

        byte[] reasonTooLong = bytes("81 CB 0002 00000001 09 627965");
        assertThat(bye.wrap(reasonTooLong, 0, reasonTooLong.length)).isFalse();
        byte[] tooManySsrcs = bytes("83 CB 0002 00000001 00000002");
        assertThat(bye.wrap(tooManySsrcs, 0, tooManySsrcs.length)).isFalse();
    }
}
