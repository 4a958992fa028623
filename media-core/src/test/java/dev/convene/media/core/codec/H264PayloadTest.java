package dev.convene.media.core.codec;

import static dev.convene.media.core.Hex.at;
import static dev.convene.media.core.Hex.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class H264PayloadTest {

    /** RFC 6184 §5.6 single NAL unit packets: F|NRI|Type. */
    @ParameterizedTest
    @CsvSource({
            "65 888400, true",   // NRI=3, type 5: IDR slice
            "67 42C01F, true",   // type 7: SPS
            "68 CE3C80, false",  // type 8: PPS
            "41 9A0000, false",  // type 1: non-IDR slice
            "06 050000, false"   // type 6: SEI
    })
    void singleNalUnits(String hex, boolean keyframe) {
        byte[] raw = bytes(hex);
        byte[] buf = at(3, raw);
        assertThat(H264Payload.isKeyframe(buf, 3, raw.length)).isEqualTo(keyframe);
    }

    /** RFC 6184 §5.7.1 STAP-A: header 0x78 (type 24), then 16-bit size + NAL unit, repeated. */
    @Test
    void stapAWithSpsPpsIdrIsAKeyframe() {
        byte[] raw = bytes("78 0004 6742C01F 0003 68CE3C 0003 658884");
        assertThat(H264Payload.nalType(raw, 0, raw.length)).isEqualTo(H264Payload.STAP_A);
        assertThat(H264Payload.isKeyframe(raw, 0, raw.length)).isTrue();
        byte[] idrLast = bytes("78 0003 68CE3C 0003 658884");
        assertThat(H264Payload.isKeyframe(idrLast, 0, idrLast.length)).isTrue();
    }

    @Test
    void stapAWithoutKeyNalIsNot() {
        byte[] raw = bytes("78 0003 68CE3C 0002 0605 0003 419A00");
        assertThat(H264Payload.isKeyframe(raw, 0, raw.length)).isFalse();
    }

    @Test
    void malformedStapAIsNotAKeyframe() {
        // Second size runs past the end before reaching the IDR.
        byte[] raw = bytes("78 0003 68CE3C 0009 658884");
        assertThat(H264Payload.isKeyframe(raw, 0, raw.length)).isFalse();
        byte[] zeroSize = bytes("78 0000 658884");
        assertThat(H264Payload.isKeyframe(zeroSize, 0, zeroSize.length)).isFalse();
        assertThat(H264Payload.isKeyframe(bytes("78 00"), 0, 2)).isFalse();
    }

    /** RFC 6184 §5.8 FU-A: indicator 0x7C (type 28), FU header |S|E|R|Type|. */
    @Test
    void fuAStartOfIdrIsAKeyframe() {
        assertThat(H264Payload.isKeyframe(bytes("7C 85 8884"), 0, 4)).isTrue();   // S=1, type 5
        assertThat(H264Payload.isKeyframe(bytes("7C 05 8884"), 0, 4)).isFalse();  // middle fragment
        assertThat(H264Payload.isKeyframe(bytes("7C 45 8884"), 0, 4)).isFalse();  // end fragment
        assertThat(H264Payload.isKeyframe(bytes("7C 81 9A00"), 0, 4)).isFalse();  // start of non-IDR
        assertThat(H264Payload.isKeyframe(bytes("7C"), 0, 1)).isFalse();
    }

    @Test
    void emptyOrOutOfBoundsIsNotAKeyframe() {
        assertThat(H264Payload.isKeyframe(new byte[0], 0, 0)).isFalse();
        assertThat(H264Payload.isKeyframe(new byte[2], 1, 2)).isFalse();
        assertThat(H264Payload.nalType(new byte[0], 0, 0)).isEqualTo(-1);
    }
}
