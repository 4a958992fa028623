package dev.convene.media.core.codec;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.convene.media.core.Framed;
import java.util.List;

/**
 * Any RTP payload through the codec descriptors (RFC 7741, RFC 9628, RFC 6184): no exception,
 * nothing read or written outside the payload, the VP8 view and its allocation-free static twin
 * agree on key frames, and PictureID / TL0PICIDX rewrites read back with their width kept.
 */
class PayloadDescriptorFuzzTest {

    record Vp8Seen(boolean wrapped, boolean staticKeyframe, List<Object> fields, List<Object> afterRewrite) {}

    @FuzzTest
    void vp8(byte[] data) {
        Vp8Seen seen = Framed.check(data, PayloadDescriptorFuzzTest::observeVp8);
        assertThat(seen.staticKeyframe()).as("static isKeyframe agrees with the view")
                .isEqualTo(seen.wrapped() && (Boolean) seen.fields().get(0));
    }

    static Vp8Seen observeVp8(byte[] buf, int off, int len) {
        boolean staticKeyframe = Vp8PayloadDescriptor.isKeyframe(buf, off, len);
        assertThat(Codec.VP8.isKeyframe(buf, off, len)).isEqualTo(staticKeyframe);
        Vp8PayloadDescriptor d = new Vp8PayloadDescriptor();
        if (!d.wrap(buf, off, len)) {
            return new Vp8Seen(false, staticKeyframe, List.of(), List.of());
        }
        assertThat(d.descriptorLength()).isBetween(1, 6);
        assertThat(d.vp8PayloadLength()).isPositive();
        assertThat(d.vp8PayloadOffset() - off + d.vp8PayloadLength()).isEqualTo(len);
        List<Object> fields = readVp8(d, off);
        int width = d.hasLongPictureId() ? 0x7FFF : 0x7F;
        int newPictureId = d.pictureId() < 0 ? -1 : ~d.pictureId() & width;
        assertThat(d.setPictureId(~d.pictureId())).isEqualTo(d.hasPictureId());
        int newTl0 = d.tl0PicIdx() < 0 ? -1 : ~d.tl0PicIdx() & 0xFF;
        assertThat(d.setTl0PicIdx(newTl0)).isEqualTo(d.hasTl0PicIdx());

        Vp8PayloadDescriptor again = new Vp8PayloadDescriptor();
        assertThat(again.wrap(buf, off, len)).isTrue();
        assertThat(again.pictureId()).isEqualTo(newPictureId);
        assertThat(again.tl0PicIdx()).isEqualTo(newTl0);
        assertThat(again.descriptorLength()).isEqualTo(d.descriptorLength());
        assertThat(again.hasLongPictureId()).isEqualTo(d.hasLongPictureId());
        return new Vp8Seen(true, staticKeyframe, fields, readVp8(again, off));
    }

    private static List<Object> readVp8(Vp8PayloadDescriptor d, int off) {
        return List.of(d.isKeyframe(), d.descriptorLength(), d.vp8PayloadOffset() - off, d.vp8PayloadLength(),
                d.hasExtension(), d.isNonReference(), d.isStartOfPartition(), d.partitionIndex(), d.hasPictureId(),
                d.hasTl0PicIdx(), d.hasTid(), d.hasKeyIdx(), d.hasLongPictureId(), d.pictureId(), d.tl0PicIdx(),
                d.tid(), d.layerSync(), d.keyIdx(), d.keyframeWidth(), d.keyframeHeight());
    }

    @FuzzTest
    void vp9(byte[] data) {
        Framed.check(data, (buf, off, len) -> List.of(Vp9PayloadDescriptor.isKeyframe(buf, off, len),
                Codec.VP9.isKeyframe(buf, off, len)));
    }

    @FuzzTest
    void h264(byte[] data) {
        List<Object> seen = Framed.check(data, (buf, off, len) -> List.of(H264Payload.nalType(buf, off, len),
                H264Payload.isKeyframe(buf, off, len), Codec.H264.isKeyframe(buf, off, len),
                Codec.AUDIO.isKeyframe(buf, off, len)));
        assertThat(seen.get(1)).isEqualTo(seen.get(2));
        assertThat((int) seen.get(0)).isBetween(-1, 31);
        if (data.length == 0) {
            assertThat(seen.get(0)).isEqualTo(-1);
        }
    }
}
