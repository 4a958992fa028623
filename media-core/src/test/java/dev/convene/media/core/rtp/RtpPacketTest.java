package dev.convene.media.core.rtp;

import static dev.convene.media.core.Hex.at;
import static dev.convene.media.core.Hex.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class RtpPacketTest {
    private static final int BASE = 13;
    private final RtpPacket packet = new RtpPacket();

    /** RFC 3550 §5.1 fixed header: V=2 P=0 X=0 CC=0 | M=1 PT=96 | seq 0xABCD | ts 0xDEADBEEF | SSRC 0x89ABCDEF. */
    @Test
    void readsFixedHeaderAtBaseOffset() {
        byte[] buf = at(BASE, bytes("80 E0 ABCD DEADBEEF 89ABCDEF 01 02 03"));
        assertThat(packet.wrap(buf, BASE, 15)).isTrue();
        assertThat(packet.version()).isEqualTo(2);
        assertThat(packet.hasPadding()).isFalse();
        assertThat(packet.hasExtension()).isFalse();
        assertThat(packet.csrcCount()).isZero();
        assertThat(packet.marker()).isTrue();
        assertThat(packet.payloadType()).isEqualTo(96);
        assertThat(packet.sequenceNumber()).isEqualTo(0xABCD);
        assertThat(packet.timestamp()).isEqualTo(0xDEADBEEFL);
        assertThat(packet.ssrc()).isEqualTo(0x89ABCDEFL);
        assertThat(packet.headerLength()).isEqualTo(12);
        assertThat(packet.payloadOffset()).isEqualTo(BASE + 12);
        assertThat(packet.payloadLength()).isEqualTo(3);
        assertThat(packet.paddingLength()).isZero();
        assertThat(packet.extensionProfile()).isEqualTo(-1);
        assertThat(packet.extensionOffset(1)).isEqualTo(-1);
    }

    /** RFC 3550 §5.1: CC counts 32-bit CSRC identifiers after the SSRC. */
    @Test
    void readsCsrcList() {
        byte[] buf = at(BASE, bytes("82 60 0001 00000001 00000002 11111111 FFFFFFFE AA"));
        assertThat(packet.wrap(buf, BASE, 21)).isTrue();
        assertThat(packet.csrcCount()).isEqualTo(2);
        assertThat(packet.csrc(0)).isEqualTo(0x11111111L);
        assertThat(packet.csrc(1)).isEqualTo(0xFFFFFFFEL);
        assertThat(packet.headerLength()).isEqualTo(20);
        assertThat(packet.payloadLength()).isEqualTo(1);
        assertThat(buf[packet.payloadOffset()]).isEqualTo((byte) 0xAA);
    }

    @Test
    void rejectsCsrcListRunningPastTheEnd() {
        // CC=15 needs 72 header bytes; only 16 given.
        byte[] buf = bytes("8F 60 0001 00000001 00000002 11111111");
        assertThat(packet.wrap(buf, 0, buf.length)).isFalse();
        assertThat(RtpPacket.headerLength(buf, 0, buf.length)).isEqualTo(-1);
    }

    /** RFC 3550 §5.1: the last padding octet counts the padding, itself included. */
    @Test
    void excludesPaddingFromPayload() {
        byte[] buf = at(BASE, bytes("A0 60 0001 00000001 00000002 CAFE 0000 03"));
        assertThat(packet.wrap(buf, BASE, 17)).isTrue();
        assertThat(packet.hasPadding()).isTrue();
        assertThat(packet.paddingLength()).isEqualTo(3);
        assertThat(packet.payloadLength()).isEqualTo(2);
    }

    @Test
    void acceptsPaddingOnlyPacket() {
        byte[] buf = bytes("A0 60 0001 00000001 00000002 0000 03");
        assertThat(packet.wrap(buf, 0, buf.length)).isTrue();
        assertThat(packet.payloadLength()).isZero();
    }

    @Test
    void rejectsZeroOrOversizedPadding() {
        assertThat(packet.wrap(bytes("A0 60 0001 00000001 00000002 CAFE 00"), 0, 15)).isFalse();
        assertThat(packet.wrap(bytes("A0 60 0001 00000001 00000002 CAFE 04"), 0, 15)).isFalse();
        assertThat(packet.wrap(bytes("A0 60 0001 00000001 00000002"), 0, 12)).isFalse();
        assertThat(packet.buffer()).isNull();
    }

    @Test
    void rejectsWrongVersionAndShortInput() {
        assertThat(packet.wrap(bytes("40 60 0001 00000001 00000002"), 0, 12)).isFalse();
        assertThat(packet.wrap(bytes("C0 60 0001 00000001 00000002"), 0, 12)).isFalse();
        assertThat(packet.wrap(bytes("80 60 0001 00000001 000000"), 0, 11)).isFalse();
        assertThat(packet.wrap(bytes("80 60 0001 00000001 00000002"), 1, 12)).isFalse();
        assertThat(packet.wrap(null, 0, 12)).isFalse();
    }

    /**
     * RFC 8285 §4.2 one-byte form: profile 0xBEDE, length 3 words; elements id=1 L=0 (1 byte),
     * two padding bytes, id=3 L=3 (4 bytes), id=5 L=1 (2 bytes), then one padding byte.
     */
    @Test
    void findsOneByteExtensionElements() {
        byte[] buf = at(BASE, bytes("90 60 0001 00000001 00000002 BEDE 0003 10 AA 0000 33 01020304 51 BBCC 00 FF"));
        assertThat(packet.wrap(buf, BASE, 29)).isTrue();
        assertThat(packet.hasOneByteExtensions()).isTrue();
        assertThat(packet.headerLength()).isEqualTo(28);
        assertThat(packet.payloadLength()).isEqualTo(1);
        assertThat(packet.extensionDataOffset()).isEqualTo(BASE + 16);
        assertThat(packet.extensionDataLength()).isEqualTo(12);

        assertThat(packet.extensionOffset(1)).isEqualTo(BASE + 17);
        assertThat(packet.extensionLength(1)).isEqualTo(1);
        assertThat(packet.extensionOffset(3)).isEqualTo(BASE + 21);
        assertThat(packet.extensionLength(3)).isEqualTo(4);
        assertThat(packet.extensionOffset(5)).isEqualTo(BASE + 26);
        assertThat(packet.extensionLength(5)).isEqualTo(2);
        assertThat(packet.extensionOffset(2)).isEqualTo(-1);
        assertThat(packet.extensionOffset(0)).isEqualTo(-1);
        assertThat(packet.extensionOffset(15)).isEqualTo(-1);
        assertThat(packet.extensionLength(200)).isEqualTo(-1);
    }

    /** RFC 8285 §4.2: id 15 is reserved; parsing stops there. */
    @Test
    void stopsAtReservedOneByteId() {
        byte[] buf = bytes("90 60 0001 00000001 00000002 BEDE 0001 F0 10 AA 00");
        assertThat(packet.wrap(buf, 0, buf.length)).isTrue();
        assertThat(packet.extensionOffset(1)).isEqualTo(-1);
    }

    @Test
    void stopsAtElementRunningPastExtensionBlock() {
        // id=2 claims 16 bytes in a 4-byte block.
        byte[] buf = bytes("90 60 0001 00000001 00000002 BEDE 0001 2F 00 00 00 AABBCCDD");
        assertThat(packet.wrap(buf, 0, buf.length)).isTrue();
        assertThat(packet.extensionOffset(2)).isEqualTo(-1);
    }

    /**
     * RFC 8285 §4.3 two-byte form: profile 0x100 + appbits, elements (id, length, data):
     * id=1 len=0, padding byte, id=20 len=3, then padding to a word.
     */
    @Test
    void findsTwoByteExtensionElements() {
        byte[] buf = at(BASE, bytes("90 60 0001 00000001 00000002 1005 0002 01 00 00 14 03 AABBCC"));
        assertThat(packet.wrap(buf, BASE, 24)).isTrue();
        assertThat(packet.hasTwoByteExtensions()).isTrue();
        assertThat(packet.extensionProfile()).isEqualTo(0x1005);
        assertThat(packet.extensionOffset(1)).isEqualTo(BASE + 18);
        assertThat(packet.extensionLength(1)).isZero();
        assertThat(packet.extensionOffset(20)).isEqualTo(BASE + 21);
        assertThat(packet.extensionLength(20)).isEqualTo(3);
        assertThat(packet.payloadLength()).isZero();
    }

    @Test
    void ignoresElementsOfUnknownProfile() {
        byte[] buf = bytes("90 60 0001 00000001 00000002 ABCD 0001 10 AA 00 00");
        assertThat(packet.wrap(buf, 0, buf.length)).isTrue();
        assertThat(packet.extensionProfile()).isEqualTo(0xABCD);
        assertThat(packet.extensionOffset(1)).isEqualTo(-1);
        assertThat(packet.headerLength()).isEqualTo(20);
    }

    @Test
    void rejectsExtensionRunningPastTheEnd() {
        byte[] headerOnly = bytes("90 60 0001 00000001 00000002 BEDE");
        assertThat(packet.wrap(headerOnly, 0, headerOnly.length)).isFalse();
        byte[] tooLong = bytes("90 60 0001 00000001 00000002 BEDE 0002 10 AA 00 00");
        assertThat(packet.wrap(tooLong, 0, tooLong.length)).isFalse();
        byte[] maxLength = bytes("90 60 0001 00000001 00000002 BEDE FFFF 10 AA 00 00");
        assertThat(packet.wrap(maxLength, 0, maxLength.length)).isFalse();
    }

    @Test
    void rewritesExtensionInPlaceOnlyWithMatchingLength() {
        byte[] buf = at(BASE, bytes("90 60 0001 00000001 00000002 BEDE 0002 22 010203 51 0405 00 00"));
        assertThat(packet.wrap(buf, BASE, 24)).isTrue();
        assertThat(packet.setExtension(2, bytes("0A0B0C"), 0, 3)).isTrue();
        assertThat(packet.setExtension(5, bytes("0A0B0C"), 0, 3)).isFalse();
        assertThat(packet.setExtension(7, bytes("0A"), 0, 1)).isFalse();
        int at = packet.extensionOffset(2);
        assertThat(new byte[] {buf[at], buf[at + 1], buf[at + 2]}).containsExactly(0x0A, 0x0B, 0x0C);
        assertThat(buf[packet.extensionOffset(5)]).isEqualTo((byte) 0x04);
    }

    @Test
    void settersWriteOnlyTheirField() {
        byte[] buf = at(BASE, bytes("80 60 0001 00000001 00000002 EE"));
        assertThat(packet.wrap(buf, BASE, 13)).isTrue();
        packet.setMarker(true);
        packet.setPayloadType(111);
        packet.setSequenceNumber(0x1FFFF);
        packet.setTimestamp(0x1_2345_6789L);
        packet.setSsrc(0xFEDCBA98L);
        assertThat(packet.marker()).isTrue();
        assertThat(packet.payloadType()).isEqualTo(111);
        assertThat(packet.sequenceNumber()).isEqualTo(0xFFFF);
        assertThat(packet.timestamp()).isEqualTo(0x2345_6789L);
        assertThat(packet.ssrc()).isEqualTo(0xFEDCBA98L);
        packet.setMarker(false);
        assertThat(packet.payloadType()).isEqualTo(111);
        assertThat(packet.marker()).isFalse();
        assertThat(buf[BASE - 1]).isEqualTo((byte) 0xA5);
        assertThat(buf[BASE + 12]).isEqualTo((byte) 0xEE);
        assertThat(buf[BASE + 13]).isEqualTo((byte) 0xA5);
    }

    @Test
    void headerLengthIgnoresPaddingSoSrtpCanUseIt() {
        // P bit set, but the last byte (an auth tag here) is not a valid padding count.
        byte[] buf = bytes("B1 60 0001 00000001 00000002 00000003 BEDE 0001 10 AA 00 00 99 00");
        assertThat(RtpPacket.headerLength(buf, 0, buf.length)).isEqualTo(24);
        assertThat(packet.wrap(buf, 0, buf.length)).isFalse();
    }

    @Test
    void everyTruncationOfAValidPacketIsRejectedOrConsistent() {
        byte[] full = bytes("B1 E0 0001 00000001 00000002 00000003 BEDE 0002 10 AA 22 010203 00 CAFE 0002");
        assertThat(packet.wrap(full, 0, full.length)).isTrue();
        for (int len = 0; len < full.length; len++) {
            byte[] cut = java.util.Arrays.copyOf(full, len);
            if (packet.wrap(cut, 0, len)) {
                assertThat(packet.headerLength() + packet.paddingLength() + packet.payloadLength()).isEqualTo(len);
            }
        }
    }

    @Test
    void randomBytesNeverThrow() {
        Random random = new Random(0xC0FFEE);
        byte[] buf = new byte[96];
        int accepted = 0;
        for (int i = 0; i < 200_000; i++) {
            random.nextBytes(buf);
            buf[0] = (byte) (0x80 | buf[0] & 0x3F); // mostly version 2, to reach the deeper checks
            if (random.nextInt(4) == 0) {
                buf[12] = (byte) 0xBE;
                buf[13] = (byte) 0xDE;
                buf[14] = 0;
            }
            int off = random.nextInt(8);
            int len = random.nextInt(buf.length - off + 1);
            if (packet.wrap(buf, off, len)) {
                accepted++;
                assertThat(packet.payloadOffset() + packet.payloadLength() + packet.paddingLength()).isEqualTo(off + len);
                for (int id = 0; id < 256; id += 7) {
                    int at = packet.extensionOffset(id);
                    if (at >= 0) {
                        assertThat(at + packet.extensionLength(id)).isLessThanOrEqualTo(off + len);
                    }
                }
                AudioLevelExtension.level(packet, 1);
            }
            RtpPacket.headerLength(buf, off, len);
        }
        assertThat(accepted).isPositive();
    }

    /** A packet without extensions gains a one-byte block holding only the transport-cc element; the payload follows it. */
    @Test
    void rewriteExtensionsAddsABlockToAPlainPacket() {
        byte[] buf = new byte[BASE + 64];
        System.arraycopy(bytes("80 60 0001 00000002 00000003 AA BB CC"), 0, buf, BASE, 15);
        assertThat(packet.wrap(buf, BASE, 15)).isTrue();
        assertThat(packet.rewriteExtensions(40, 3, 0xFFFE, 0, 0)).isEqualTo(23);
        assertThat(packet.hasExtension()).isTrue();
        assertThat(packet.extensionOffset(3)).isEqualTo(BASE + 17);
        assertThat(packet.extensionLength(3)).isEqualTo(2);
        assertThat(buf[BASE + 17] & 0xFF).isEqualTo(0xFF);
        assertThat(buf[BASE + 18] & 0xFF).isEqualTo(0xFE);
        assertThat(packet.payloadOffset()).isEqualTo(BASE + 20);
        assertThat(packet.payloadLength()).isEqualTo(3);
        assertThat(buf[BASE + 20]).isEqualTo((byte) 0xAA);
        assertThat(packet.sequenceNumber()).isEqualTo(1);
        assertThat(buf[BASE - 1]).isZero();
        assertThat(buf[BASE + 23]).isZero();
    }

    /**
     * The publisher's elements (mid id 4, rid id 10) go; its audio level (id 1) stays, renumbered
     * as the subscriber's id 5; padding at the end moves with the payload.
     */
    @Test
    void rewriteExtensionsKeepsOneElementRenumberedAndThePadding() {
        byte[] wire = bytes("B0 6F 1234 00000002 00000003 BEDE 0003 10 85 41 31 A1 71 00 00 00 00 00 00 DD EE 00 02");
        byte[] buf = new byte[BASE + 64];
        System.arraycopy(wire, 0, buf, BASE, wire.length);
        assertThat(packet.wrap(buf, BASE, wire.length)).isTrue();
        assertThat(packet.paddingLength()).isEqualTo(2);
        int length = packet.rewriteExtensions(64, 3, 7, 1, 5);
        assertThat(length).isEqualTo(12 + 4 + 8 + 4);
        assertThat(packet.extensionOffset(3)).isPositive();
        assertThat(packet.extensionOffset(4)).isEqualTo(-1);
        assertThat(packet.extensionOffset(1)).isEqualTo(-1);
        assertThat(buf[packet.extensionOffset(5)] & 0xFF).isEqualTo(0x85);
        assertThat(packet.paddingLength()).isEqualTo(2);
        assertThat(packet.payloadLength()).isEqualTo(2);
        assertThat(buf[packet.payloadOffset()] & 0xFF).isEqualTo(0xDD);
        assertThat(packet.rewriteExtensions(20, 3, 7, 0, 0)).as("no room").isEqualTo(-1);
        assertThat(packet.length()).isEqualTo(length);
    }
}
