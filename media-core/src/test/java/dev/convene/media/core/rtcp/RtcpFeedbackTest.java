package dev.convene.media.core.rtcp;

import static dev.convene.media.core.Hex.at;
import static dev.convene.media.core.Hex.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class RtcpFeedbackTest {
    private static final int BASE = 5;

    /**
     * RFC 4585 §6.2.1 generic NACK: PID 100 with BLP 0b1000_0000_0000_0101 (bits 0, 2, 15 →
     * 101, 103, 116), then PID 65535 with BLP 1 (→ 0, wrapping).
     */
    @Test
    void expandsPidAndBlp() {
        byte[] raw = bytes("81 CD 0004 00000001 00000002 0064 8005 FFFF 0001");
        byte[] buf = at(BASE, raw);
        RtcpNack nack = new RtcpNack();
        assertThat(nack.wrap(buf, BASE, raw.length)).isTrue();
        assertThat(nack.senderSsrc()).isEqualTo(1);
        assertThat(nack.mediaSsrc()).isEqualTo(2);
        assertThat(nack.entryCount()).isEqualTo(2);
        assertThat(nack.lostCount()).isEqualTo(6);
        int[] out = new int[16];
        assertThat(nack.lostSequenceNumbers(out)).isEqualTo(6);
        assertThat(java.util.Arrays.copyOf(out, 6)).containsExactly(100, 101, 103, 116, 65535, 0);
        List<Integer> viaCallback = new ArrayList<>();
        nack.forEachLost(viaCallback::add);
        assertThat(viaCallback).containsExactly(100, 101, 103, 116, 65535, 0);

        int[] small = new int[3];
        assertThat(nack.lostSequenceNumbers(small)).isEqualTo(3);
        assertThat(small).containsExactly(100, 101, 103);
    }

    @Test
    void packsIntoBlpAndStartsNewEntryPastSixteen() {
        int[] seqs = {65530, 65531, 65535, 0, 9, 10, 100};
        byte[] buf = new byte[64];
        int length = RtcpNack.write(buf, 2, 7, 8, seqs, seqs.length);
        // 65530 covers 65531 (bit 0), 65535 (bit 4), 0 (bit 5), 9 (bit 14), 10 (bit 15); 100 starts a new entry.
        assertThat(length).isEqualTo(20).isEqualTo(RtcpNack.length(seqs, seqs.length));
        byte[] expected = bytes("81 CD 0004 00000007 00000008 FFFA C031 0064 0000");
        assertThat(java.util.Arrays.copyOfRange(buf, 2, 2 + length)).isEqualTo(expected);
    }

    @Test
    void nackRoundTripOfRandomLossSets() {
        Random random = new Random(7);
        RtcpNack nack = new RtcpNack();
        byte[] buf = new byte[2048];
        int[] out = new int[512];
        for (int round = 0; round < 500; round++) {
            int start = random.nextInt(65536);
            TreeSet<Integer> lost = new TreeSet<>();
            int n = 1 + random.nextInt(100);
            for (int i = 0; i < n; i++) {
                lost.add(random.nextInt(300));
            }
            int[] seqs = lost.stream().mapToInt(d -> start + d & 0xFFFF).toArray();
            int length = RtcpNack.write(buf, 0, 1, 2, seqs, seqs.length);
            assertThat(nack.wrap(buf, 0, length)).isTrue();
            int count = nack.lostSequenceNumbers(out);
            assertThat(java.util.Arrays.copyOf(out, count)).containsExactly(seqs);
        }
    }

    @Test
    void rejectsTruncatedNack() {
        byte[] raw = bytes("81 CD 0001 00000001");
        assertThat(new RtcpNack().wrap(raw, 0, raw.length)).isFalse();
        byte[] notNack = bytes("8F CD 0002 00000001 00000002");
        assertThat(new RtcpNack().wrap(notNack, 0, notNack.length)).isFalse();
    }

    /** RFC 4585 §6.3.1 PLI: PSFB FMT=1, length 2, no FCI. */
    @Test
    void pliRoundTrip() {
        byte[] buf = new byte[20];
        assertThat(RtcpPli.write(buf, 4, 0xAAAAAAAAL, 0xBBBBBBBBL)).isEqualTo(12);
        assertThat(java.util.Arrays.copyOfRange(buf, 4, 16)).isEqualTo(bytes("81 CE 0002 AAAAAAAA BBBBBBBB"));
        RtcpPli pli = new RtcpPli();
        assertThat(pli.wrap(buf, 4, 12)).isTrue();
        assertThat(pli.senderSsrc()).isEqualTo(0xAAAAAAAAL);
        assertThat(pli.mediaSsrc()).isEqualTo(0xBBBBBBBBL);
        RtcpPacket packet = new RtcpPacket();
        assertThat(packet.wrap(buf, 4, 12)).isTrue();
        assertThat(packet.isPli()).isTrue();
        assertThat(packet.isFir()).isFalse();
    }

    /** RFC 5104 §4.3.1 FIR: PSFB FMT=4, media SSRC 0, FCI entries of SSRC + seq nr + 24 reserved bits. */
    @Test
    void parsesFirEntriesAndWritesOne() {
        byte[] raw = bytes("84 CE 0006 00000001 00000000 0000000A 07000000 0000000B 08000000");
        byte[] buf = at(BASE, raw);
        RtcpFir fir = new RtcpFir();
        assertThat(fir.wrap(buf, BASE, raw.length)).isTrue();
        assertThat(fir.entryCount()).isEqualTo(2);
        assertThat(fir.entrySsrc(0)).isEqualTo(10);
        assertThat(fir.entrySequenceNumber(0)).isEqualTo(7);
        assertThat(fir.entrySsrc(1)).isEqualTo(11);
        assertThat(fir.entrySequenceNumber(1)).isEqualTo(8);

        byte[] out = new byte[20];
        assertThat(RtcpFir.write(out, 0, 1, 10, 263)).isEqualTo(20);
        assertThat(out).isEqualTo(bytes("84 CE 0004 00000001 00000000 0000000A 07000000"));
    }

    /**
     * draft-alvestrand-rmcat-remb-03 §2.2: REMB with 2 SSRCs, exponent 3, mantissa 0x3FFFF
     * (2 097 144 bit/s).
     */
    @Test
    void parsesRemb() {
        byte[] raw = bytes("8F CE 0006 00000001 00000000 52454D42 02 0F FFFF 0000000A 0000000B");
        byte[] buf = at(BASE, raw);
        RtcpRemb remb = new RtcpRemb();
        assertThat(remb.wrap(buf, BASE, raw.length)).isTrue();
        assertThat(remb.exponent()).isEqualTo(3);
        assertThat(remb.mantissa()).isEqualTo(0x3FFFF);
        assertThat(remb.bitrate()).isEqualTo(0x3FFFFL << 3);
        assertThat(remb.ssrcCount()).isEqualTo(2);
        assertThat(remb.ssrc(0)).isEqualTo(10);
        assertThat(remb.ssrc(1)).isEqualTo(11);

        byte[] tooManySsrcs = bytes("8F CE 0006 00000001 00000000 52454D42 03 0F FFFF 0000000A 0000000B");
        assertThat(remb.wrap(tooManySsrcs, 0, tooManySsrcs.length)).isFalse();
        byte[] notRemb = bytes("8F CE 0004 00000001 00000000 52454D43 00 0F FFFF");
        assertThat(remb.wrap(notRemb, 0, notRemb.length)).isFalse();
    }

    @Test
    void rembRoundTrip() {
        long[] ssrcs = {0x12345678L, 0xFFFFFFFFL, 3};
        byte[] buf = new byte[64];
        RtcpRemb remb = new RtcpRemb();
        for (long bitrate : new long[] {0, 1, 0x3FFFF, 0x40000, 1_500_000, 2_500_000_000L, Long.MAX_VALUE}) {
            int length = RtcpRemb.write(buf, 1, 99, bitrate, ssrcs, ssrcs.length);
            assertThat(length).isEqualTo(32);
            assertThat(remb.wrap(buf, 1, length)).isTrue();
            assertThat(remb.senderSsrc()).isEqualTo(99);
            assertThat(remb.mantissa()).isLessThanOrEqualTo(0x3FFFF);
            // Rounded down to 18 significant bits: never more than the original, within 2^-17 of it.
            assertThat(remb.bitrate()).isLessThanOrEqualTo(bitrate).isGreaterThanOrEqualTo(bitrate - (bitrate >>> 17));
            assertThat(remb.ssrc(0)).isEqualTo(0x12345678L);
            assertThat(remb.ssrc(1)).isEqualTo(0xFFFFFFFFL);
            assertThat(remb.ssrc(2)).isEqualTo(3);
        }
        RtcpRemb.write(buf, 0, 1, 1_000_000, ssrcs, 1);
        assertThat(remb.wrap(buf, 0, 24)).isTrue();
        assertThat(remb.bitrate()).isEqualTo(1_000_000);
    }

    @Test
    void rembBitrateSaturatesForHugeExponents() {
        byte[] raw = bytes("8F CE 0004 00000001 00000000 52454D42 00 FF FFFF");
        RtcpRemb remb = new RtcpRemb();
        assertThat(remb.wrap(raw, 0, raw.length)).isTrue();
        assertThat(remb.exponent()).isEqualTo(63);
        assertThat(remb.bitrate()).isEqualTo(Long.MAX_VALUE);
    }

    /** draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1: RTPFB FMT=15. */
    @Test
    void recognizesTransportWideFeedback() {
        byte[] raw = bytes("8F CD 0005 00000001 00000002 0100 0002 FFFFFE 05 20 01 0000");
        RtcpPacket packet = new RtcpPacket();
        assertThat(packet.wrap(raw, 0, raw.length)).isTrue();
        assertThat(packet.isTransportCc()).isTrue();
        assertThat(packet.isNack()).isFalse();
        RtcpTransportFeedback twcc = new RtcpTransportFeedback();
        assertThat(twcc.wrap(packet)).isTrue();
        assertThat(twcc.baseSequenceNumber()).isEqualTo(256);
        assertThat(twcc.packetStatusCount()).isEqualTo(2);
        assertThat(twcc.referenceTime()).isEqualTo(-2);
        assertThat(twcc.feedbackPacketCount()).isEqualTo(5);
    }
}
