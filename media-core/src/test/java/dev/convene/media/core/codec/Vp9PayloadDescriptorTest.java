package dev.convene.media.core.codec;

import static dev.convene.media.core.Hex.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class Vp9PayloadDescriptorTest {

    /** RFC 9628 §4.2: |I|P|L|F|B|E|V|Z|; a key frame is B=1, P=0 (and SID 0 with L). */
    @Test
    void detectsKeyframes() {
        assertThat(Vp9PayloadDescriptor.isKeyframe(bytes("08 00"), 0, 2)).isTrue();            // B only
        assertThat(Vp9PayloadDescriptor.isKeyframe(bytes("48 00"), 0, 2)).isFalse();           // P=1
        assertThat(Vp9PayloadDescriptor.isKeyframe(bytes("00 00"), 0, 2)).isFalse();           // B=0
        assertThat(Vp9PayloadDescriptor.isKeyframe(bytes("A8 8001 00 00"), 0, 5)).isTrue();    // I, M, L: SID 0
        assertThat(Vp9PayloadDescriptor.isKeyframe(bytes("A8 8001 02 00"), 0, 5)).isFalse();   // SID 1
        assertThat(Vp9PayloadDescriptor.isKeyframe(bytes("A8 05 00 00"), 0, 4)).isTrue();      // 7-bit PictureID
        assertThat(Vp9PayloadDescriptor.isKeyframe(bytes("A8 8001"), 0, 3)).isFalse();         // L byte missing
        assertThat(Vp9PayloadDescriptor.isKeyframe(bytes("88"), 0, 1)).isFalse();              // PictureID missing
    }

    @Test
    void codecDispatchesToTheRightDetector() {
        assertThat(Codec.AUDIO.isKeyframe(new byte[0], 0, 0)).isTrue();
        assertThat(Codec.VP9.isKeyframe(bytes("08 00"), 0, 2)).isTrue();
        assertThat(Codec.VP8.isKeyframe(bytes("10 10"), 0, 2)).isTrue();
        assertThat(Codec.H264.isKeyframe(bytes("65 88"), 0, 2)).isTrue();
        assertThat(Codec.H264.isKeyframe(bytes("41 88"), 0, 2)).isFalse();
        assertThat(Codec.AUDIO.isVideo()).isFalse();
        assertThat(Codec.VP8.isVideo()).isTrue();
    }
}
