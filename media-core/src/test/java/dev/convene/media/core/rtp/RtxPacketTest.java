package dev.convene.media.core.rtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** RFC 4588 §4: the RTX payload is the 2-byte OSN followed by the original payload. */
class RtxPacketTest {

    private static final int BASE = 5;

    /** V=2 X=1 CC=1, PT 96, seq 0x1234, ts, SSRC, one CSRC, a one-byte extension (mid "1"), payload, padding. */
    private static byte[] original(boolean padded) {
        byte[] header = {
                (byte) (padded ? 0xB1 : 0x91), (byte) (0x80 | 96), 0x12, 0x34,
                0x00, 0x01, 0x02, 0x03,
                0x0A, 0x0B, 0x0C, 0x0D,
                0x77, 0x77, 0x77, 0x77,
                (byte) 0xBE, (byte) 0xDE, 0x00, 0x01,
                0x10, '1', 0x00, 0x00};
        byte[] payload = {1, 2, 3, 4, 5, 6, 7};
        byte[] padding = padded ? new byte[] {0, 0, 3} : new byte[0];
        byte[] buf = new byte[BASE + header.length + payload.length + padding.length + 2];
        System.arraycopy(header, 0, buf, BASE, header.length);
        System.arraycopy(payload, 0, buf, BASE + header.length, payload.length);
        System.arraycopy(padding, 0, buf, BASE + header.length + payload.length, padding.length);
        return buf;
    }

    @Test
    void encodeKeepsTheHeaderAndPutsTheOsnBeforeThePayload() {
        for (boolean padded : new boolean[] {false, true}) {
            byte[] buf = original(padded);
            RtpPacket p = new RtpPacket();
            assertThat(p.wrap(buf, BASE, buf.length - BASE - 2)).isTrue();
            byte[] out = new byte[100];

            int len = RtxPacket.encode(p, out, 9, 97, 0xFFFE, 0xCAFEBABEL);

            assertThat(len).isEqualTo(p.length() + 2);
            RtpPacket rtx = new RtpPacket();
            assertThat(rtx.wrap(out, 9, len)).isTrue();
            assertThat(rtx.payloadType()).isEqualTo(97);
            assertThat(rtx.marker()).as("marker kept").isTrue();
            assertThat(rtx.sequenceNumber()).isEqualTo(0xFFFE);
            assertThat(rtx.ssrc()).isEqualTo(0xCAFEBABEL);
            assertThat(rtx.timestamp()).isEqualTo(0x00010203L);
            assertThat(rtx.csrc(0)).isEqualTo(0x77777777L);
            assertThat(rtx.extensionLength(1)).isEqualTo(1);
            assertThat(rtx.paddingLength()).isEqualTo(padded ? 3 : 0);
            assertThat(Arrays.copyOfRange(out, rtx.payloadOffset(), rtx.payloadOffset() + rtx.payloadLength()))
                    .containsExactly(0x12, 0x34, 1, 2, 3, 4, 5, 6, 7);
        }
    }

    @Test
    void decodeRestoresTheOriginalInPlace() {
        for (boolean padded : new boolean[] {false, true}) {
            byte[] buf = original(padded);
            RtpPacket p = new RtpPacket();
            assertThat(p.wrap(buf, BASE, buf.length - BASE - 2)).isTrue();
            byte[] expected = Arrays.copyOfRange(buf, BASE, BASE + p.length());
            byte[] rtxBuf = new byte[100];
            int len = RtxPacket.encode(p, rtxBuf, 3, 97, 7, 0xCAFEBABEL);
            RtpPacket rtx = new RtpPacket();
            assertThat(rtx.wrap(rtxBuf, 3, len)).isTrue();

            assertThat(RtxPacket.decode(rtx, 96, 0x0A0B0C0DL)).isTrue();

            assertThat(rtx.offset()).isEqualTo(3);
            assertThat(rtx.length()).isEqualTo(expected.length);
            assertThat(Arrays.copyOfRange(rtxBuf, 3, 3 + rtx.length())).isEqualTo(expected);
        }
    }

    @Test
    void aPaddingOnlyRtxPacketHasNoOriginal() {
        // RTX packets with only padding, as senders use for bandwidth probing.
        byte[] buf = {(byte) 0xA0, 97, 0, 1, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 4};
        RtpPacket p = new RtpPacket();
        assertThat(p.wrap(buf, 0, buf.length)).isTrue();
        assertThat(RtxPacket.decode(p, 96, 1)).isFalse();
        assertThat(p.sequenceNumber()).isEqualTo(1);
        assertThat(p.ssrc()).isEqualTo(9);
    }
}
