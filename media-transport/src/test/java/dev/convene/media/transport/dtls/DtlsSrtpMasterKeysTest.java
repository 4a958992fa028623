package dev.convene.media.transport.dtls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.convene.media.transport.srtp.SrtpProfile;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** RFC 5764 §4.2: client_write_key | server_write_key | client_write_salt | server_write_salt. */
class DtlsSrtpMasterKeysTest {

    private static byte[] counting(int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) i;
        }
        return b;
    }

    private static byte[] range(int from, int to) {
        return Arrays.copyOfRange(counting(to), from, to);
    }

    @Test
    void aesCm80LayoutForClientAndServer() {
        byte[] material = counting(60); // 2 × (16 + 14)
        SrtpMasterKeys client = SrtpMasterKeys.split(SrtpProfile.AES_CM_128_HMAC_SHA1_80, material, false);
        SrtpMasterKeys server = SrtpMasterKeys.split(SrtpProfile.AES_CM_128_HMAC_SHA1_80, material, true);

        assertThat(client.localKey()).isEqualTo(range(0, 16));
        assertThat(client.remoteKey()).isEqualTo(range(16, 32));
        assertThat(client.localSalt()).isEqualTo(range(32, 46));
        assertThat(client.remoteSalt()).isEqualTo(range(46, 60));

        assertThat(server.localKey()).isEqualTo(client.remoteKey());
        assertThat(server.localSalt()).isEqualTo(client.remoteSalt());
        assertThat(server.remoteKey()).isEqualTo(client.localKey());
        assertThat(server.remoteSalt()).isEqualTo(client.localSalt());
    }

    @Test
    void gcmLayoutUsesTwelveByteSalts() {
        byte[] material = counting(56); // 2 × (16 + 12), RFC 7714 §12
        SrtpMasterKeys server = SrtpMasterKeys.split(SrtpProfile.AEAD_AES_128_GCM, material, true);
        assertThat(server.localKey()).isEqualTo(range(16, 32));
        assertThat(server.remoteKey()).isEqualTo(range(0, 16));
        assertThat(server.remoteSalt()).isEqualTo(range(32, 44));
        assertThat(server.localSalt()).isEqualTo(range(44, 56));
    }

    @Test
    void wrongMaterialLengthIsRejected() {
        assertThatThrownBy(() -> SrtpMasterKeys.split(SrtpProfile.AEAD_AES_128_GCM, new byte[60], true))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void toStringLeaksNoKeys() {
        SrtpMasterKeys keys = SrtpMasterKeys.split(SrtpProfile.AES_CM_128_HMAC_SHA1_80, counting(60), true);
        assertThat(keys.toString()).doesNotContain("[B@").contains("16B");
    }
}
