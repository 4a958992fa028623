package dev.convene.media.core.rtp;

import static dev.convene.media.core.Hex.at;
import static dev.convene.media.core.Hex.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AudioLevelExtensionTest {
    private final RtpPacket packet = new RtpPacket();

    /** RFC 6464 §3 one-byte form: id=1, L=0, |V=1| level=42|. */
    @Test
    void readsVoiceActivityAndLevel() {
        byte[] buf = at(5, bytes("90 6F 0001 00000001 00000002 BEDE 0001 10 AA 00 00 FF"));
        assertThat(packet.wrap(buf, 5, 21)).isTrue();
        assertThat(AudioLevelExtension.voiceActivity(packet, 1)).isTrue();
        assertThat(AudioLevelExtension.level(packet, 1)).isEqualTo(42);
        assertThat(AudioLevelExtension.level(packet, 2)).isEqualTo(-1);
        assertThat(AudioLevelExtension.voiceActivity(packet, 2)).isFalse();
    }

    @Test
    void readsSilenceWithoutVoice() {
        byte[] buf = bytes("90 6F 0001 00000001 00000002 BEDE 0001 30 7F 00 00");
        assertThat(packet.wrap(buf, 0, buf.length)).isTrue();
        assertThat(AudioLevelExtension.voiceActivity(packet, 3)).isFalse();
        assertThat(AudioLevelExtension.level(packet, 3)).isEqualTo(AudioLevelExtension.SILENCE);
    }

    /** RFC 6464 §3 also allows the two-byte form (RFC 8285 §4.3); a zero-length element carries no level. */
    @Test
    void readsTwoByteFormAndIgnoresEmptyElement() {
        byte[] buf = bytes("90 6F 0001 00000001 00000002 1000 0002 01 01 85 02 00 00 00 00");
        assertThat(packet.wrap(buf, 0, buf.length)).isTrue();
        assertThat(AudioLevelExtension.level(packet, 1)).isEqualTo(5);
        assertThat(AudioLevelExtension.voiceActivity(packet, 1)).isTrue();
        assertThat(AudioLevelExtension.level(packet, 2)).isEqualTo(-1);
    }

    @Test
    void writesInPlace() {
        byte[] buf = bytes("90 6F 0001 00000001 00000002 BEDE 0001 10 AA 00 00");
        assertThat(packet.wrap(buf, 0, buf.length)).isTrue();
        assertThat(AudioLevelExtension.write(packet, 1, false, 200)).isTrue();
        assertThat(AudioLevelExtension.level(packet, 1)).isEqualTo(127);
        assertThat(AudioLevelExtension.voiceActivity(packet, 1)).isFalse();
        assertThat(AudioLevelExtension.write(packet, 4, true, 1)).isFalse();
    }
}
