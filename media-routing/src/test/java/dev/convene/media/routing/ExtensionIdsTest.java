package dev.convene.media.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.convene.media.core.rtp.AudioLevelExtension;
import dev.convene.media.core.rtp.RtpPacket;
import org.junit.jupiter.api.Test;

class ExtensionIdsTest {

    /** One-byte form (RFC 8285 §4.2): audio level id 3 (V=1, 42), then a 2-byte element id 1, then padding. */
    private static byte[] packet(int profileHigh, int profileLow, int... ints) {
        byte[] elements = new byte[ints.length];
        for (int i = 0; i < ints.length; i++) {
            elements[i] = (byte) ints[i];
        }
        byte[] buf = new byte[TestPackets.BASE + 12 + 4 + elements.length + 2];
        int p = TestPackets.BASE;
        buf[p] = (byte) 0x90;
        buf[p + 1] = 111;
        buf[p + 12] = (byte) profileHigh;
        buf[p + 13] = (byte) profileLow;
        buf[p + 15] = (byte) (elements.length / 4);
        System.arraycopy(elements, 0, buf, p + 16, elements.length);
        return buf;
    }

    private static RtpPacket wrap(byte[] buf) {
        RtpPacket packet = new RtpPacket();
        assertThat(packet.wrap(buf, TestPackets.BASE, buf.length - TestPackets.BASE)).isTrue();
        return packet;
    }

    @Test
    void swapsOneByteIdsInPlace() {
        RtpPacket p = wrap(packet(0xBE, 0xDE, 0x30, 0xAA, 0x11, 7, 8, 0, 0, 0));
        assertThat(ExtensionIds.swap(p, 3, 1)).isTrue();
        assertThat(AudioLevelExtension.level(p, 1)).isEqualTo(42);
        assertThat(AudioLevelExtension.voiceActivity(p, 1)).isTrue();
        assertThat(p.extensionLength(3)).isEqualTo(2);
        assertThat((int) p.buffer()[p.extensionOffset(3)]).isEqualTo(7);
    }

    @Test
    void swapsTwoByteIds() {
        RtpPacket p = wrap(packet(0x10, 0x00, 3, 1, 0xAA, 0));
        assertThat(ExtensionIds.swap(p, 3, 1)).isTrue();
        assertThat(AudioLevelExtension.level(p, 1)).isEqualTo(42);
        assertThat(p.extensionOffset(3)).isEqualTo(-1);
    }

    @Test
    void leavesAMalformedBlockAlone() {
        // id 3 with 1 byte, then an element claiming 16 bytes that are not there.
        byte[] buf = packet(0xBE, 0xDE, 0x30, 0xAA, 0x2F, 0);
        byte[] before = buf.clone();
        assertThat(ExtensionIds.swap(wrap(buf), 3, 1)).isFalse();
        assertThat(buf).isEqualTo(before);
    }

    @Test
    void allocatesNothing() {
        RtpPacket p = wrap(packet(0xBE, 0xDE, 0x30, 0xAA, 0x11, 7, 8, 0, 0, 0));
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        for (int i = 0; i < 20_000; i++) {
            ExtensionIds.swap(p, 3, 1);
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 10_000; i++) {
            ExtensionIds.swap(p, 3, 1);
        }
        assertThat(threads.getCurrentThreadAllocatedBytes() - before).isZero();
    }
}
