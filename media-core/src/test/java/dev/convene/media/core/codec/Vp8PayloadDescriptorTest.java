package dev.convene.media.core.codec;

import static dev.convene.media.core.Hex.at;
import static dev.convene.media.core.Hex.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class Vp8PayloadDescriptorTest {
    private static final int BASE = 11;
    /**
     * A VP8 key frame start (RFC 6386 §9.1): frame tag with P=0 (show_frame, size bits), start
     * code 9d 01 2a, width 640 (0x0280) and height 360 (0x0168), little-endian 14 bits + 2-bit scale.
     */
    private static final String KEYFRAME_HEADER = "10 02 00 9D 01 2A 80 02 68 41";

    private final Vp8PayloadDescriptor vp8 = new Vp8PayloadDescriptor();

    /** RFC 7741 §4.2: X=1 S=1 PID=0; I=1 L=1 T=1; M=0 PictureID=0x55; TL0PICIDX=0x99; TID=2 Y=1. */
    @Test
    void parses7BitPictureIdWithTl0AndTid() {
        byte[] raw = bytes("90 E0 55 99 A0" + KEYFRAME_HEADER);
        byte[] buf = at(BASE, raw);
        assertThat(vp8.wrap(buf, BASE, raw.length)).isTrue();
        assertThat(vp8.descriptorLength()).isEqualTo(5);
        assertThat(vp8.vp8PayloadOffset()).isEqualTo(BASE + 5);
        assertThat(vp8.isStartOfPartition()).isTrue();
        assertThat(vp8.partitionIndex()).isZero();
        assertThat(vp8.isNonReference()).isFalse();
        assertThat(vp8.hasPictureId()).isTrue();
        assertThat(vp8.hasLongPictureId()).isFalse();
        assertThat(vp8.pictureId()).isEqualTo(0x55);
        assertThat(vp8.tl0PicIdx()).isEqualTo(0x99);
        assertThat(vp8.tid()).isEqualTo(2);
        assertThat(vp8.layerSync()).isTrue();
        assertThat(vp8.keyIdx()).isEqualTo(-1);
        assertThat(vp8.isKeyframe()).isTrue();
        assertThat(vp8.keyframeWidth()).isEqualTo(640);
        assertThat(vp8.keyframeHeight()).isEqualTo(360);
        assertThat(Vp8PayloadDescriptor.isKeyframe(buf, BASE, raw.length)).isTrue();
    }

    /** RFC 7741 §4.2: M=1 makes PictureID 15 bits; K=1 alone still adds the TID/KEYIDX byte. */
    @Test
    void parses15BitPictureIdAndKeyIdx() {
        byte[] raw = bytes("A0 90 FF FE 15 31 02 00");
        assertThat(vp8.wrap(raw, 0, raw.length)).isTrue();
        assertThat(vp8.isNonReference()).isTrue();
        assertThat(vp8.isStartOfPartition()).isFalse();
        assertThat(vp8.hasLongPictureId()).isTrue();
        assertThat(vp8.pictureId()).isEqualTo(0x7FFE);
        assertThat(vp8.hasTl0PicIdx()).isFalse();
        assertThat(vp8.tl0PicIdx()).isEqualTo(-1);
        assertThat(vp8.hasTid()).isFalse();
        assertThat(vp8.tid()).isEqualTo(-1);
        assertThat(vp8.keyIdx()).isEqualTo(0x15);
        assertThat(vp8.descriptorLength()).isEqualTo(5);
        assertThat(vp8.isKeyframe()).isFalse();
        assertThat(vp8.keyframeWidth()).isEqualTo(-1);
    }

    @Test
    void minimalDescriptorWithoutExtension() {
        byte[] raw = bytes("10" + KEYFRAME_HEADER);
        assertThat(vp8.wrap(raw, 0, raw.length)).isTrue();
        assertThat(vp8.descriptorLength()).isEqualTo(1);
        assertThat(vp8.pictureId()).isEqualTo(-1);
        assertThat(vp8.isKeyframe()).isTrue();
        assertThat(vp8.keyframeWidth()).isEqualTo(640);
    }

    /** RFC 7741 §4.3: P=1 in the payload header is an interframe; PID≠0 or S=0 is not partition 0's start. */
    @Test
    void onlyTheStartOfPartitionZeroWithPZeroIsAKeyframe() {
        assertThat(Vp8PayloadDescriptor.isKeyframe(bytes("10 11 02 00"), 0, 4)).isFalse();
        assertThat(Vp8PayloadDescriptor.isKeyframe(bytes("11 10 02 00"), 0, 4)).isFalse();
        assertThat(Vp8PayloadDescriptor.isKeyframe(bytes("00 10 02 00"), 0, 4)).isFalse();
        assertThat(Vp8PayloadDescriptor.isKeyframe(bytes("90 80 81 02 10"), 0, 5)).isTrue();
        assertThat(Vp8PayloadDescriptor.isKeyframe(bytes("90 80 81 02 11"), 0, 5)).isFalse();
    }

    @Test
    void rewritesPictureIdKeepingItsWidthAndTl0PicIdx() {
        byte[] raw = bytes("90 C0 80 05 07 10 02 00");
        byte[] buf = at(BASE, raw);
        assertThat(vp8.wrap(buf, BASE, raw.length)).isTrue();
        assertThat(vp8.pictureId()).isEqualTo(5);
        assertThat(vp8.setPictureId(0x8123)).isTrue(); // reduced modulo 2^15
        assertThat(vp8.setTl0PicIdx(0x1FF)).isTrue();
        assertThat(vp8.hasLongPictureId()).isTrue();
        assertThat(vp8.pictureId()).isEqualTo(0x0123);
        assertThat(vp8.tl0PicIdx()).isEqualTo(0xFF);
        assertThat(buf[BASE + 5]).isEqualTo((byte) 0x10);

        byte[] short7 = bytes("90 80 7F 10 02 00");
        assertThat(vp8.wrap(short7, 0, short7.length)).isTrue();
        assertThat(vp8.setPictureId(0x80)).isTrue(); // 7-bit field wraps to 0
        assertThat(vp8.hasLongPictureId()).isFalse();
        assertThat(vp8.pictureId()).isZero();
        assertThat(vp8.setTl0PicIdx(1)).isFalse();
    }

    @Test
    void rejectsTruncatedDescriptors() {
        for (String raw : new String[] {"", "90", "90 80", "90 80 80", "90 80 80 05", "90 40 07", "90 20 40", "10"}) {
            byte[] buf = bytes(raw);
            assertThat(vp8.wrap(buf, 0, buf.length)).as(raw).isFalse();
            assertThat(Vp8PayloadDescriptor.isKeyframe(buf, 0, buf.length)).as(raw).isFalse();
        }
    }

    @Test
    void truncatedKeyframeHeaderHasNoSize() {
        byte[] raw = bytes("10 10 02 00 9D 01 2A 80");
        assertThat(vp8.wrap(raw, 0, raw.length)).isTrue();
        assertThat(vp8.isKeyframe()).isTrue();
        assertThat(vp8.keyframeWidth()).isEqualTo(-1);
    }

    @Test
    void randomBytesNeverThrow() {
        Random random = new Random(99);
        byte[] buf = new byte[24];
        for (int i = 0; i < 200_000; i++) {
            random.nextBytes(buf);
            int off = random.nextInt(4);
            int len = random.nextInt(buf.length - off + 1);
            if (vp8.wrap(buf, off, len)) {
                assertThat(vp8.vp8PayloadOffset() + vp8.vp8PayloadLength()).isEqualTo(off + len);
                vp8.pictureId();
                vp8.tl0PicIdx();
                vp8.tid();
                vp8.keyIdx();
                vp8.keyframeWidth();
                vp8.keyframeHeight();
                assertThat(Vp8PayloadDescriptor.isKeyframe(buf, off, len)).isEqualTo(vp8.isKeyframe());
            }
            H264Payload.isKeyframe(buf, off, len);
            Vp9PayloadDescriptor.isKeyframe(buf, off, len);
        }
    }
}
