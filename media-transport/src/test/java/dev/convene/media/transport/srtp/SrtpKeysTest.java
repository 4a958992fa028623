package dev.convene.media.transport.srtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SrtpKeysTest {

    /** Keying material whose bytes say where they came from: 0x1_ client key, 0x2_ server key, ... */
    private static byte[] material(SrtpProfile p) {
        byte[] m = new byte[p.keyingMaterialLength()];
        int k = p.keyLength();
        int s = p.saltLength();
        Arrays.fill(m, 0, k, (byte) 0x11);
        Arrays.fill(m, k, 2 * k, (byte) 0x22);
        Arrays.fill(m, 2 * k, 2 * k + s, (byte) 0x33);
        Arrays.fill(m, 2 * k + s, 2 * k + 2 * s, (byte) 0x44);
        return m;
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void theDtlsServerSendsWithTheServerWriteKeys(SrtpProfile profile) {
        SrtpKeys server = SrtpKeys.fromKeyingMaterial(profile, material(profile), true);
        assertThat(server.localMasterKey()).containsOnly(0x22).hasSize(profile.keyLength());
        assertThat(server.localMasterSalt()).containsOnly(0x44).hasSize(profile.saltLength());
        assertThat(server.remoteMasterKey()).containsOnly(0x11);
        assertThat(server.remoteMasterSalt()).containsOnly(0x33);

        SrtpKeys client = SrtpKeys.fromKeyingMaterial(profile, material(profile), false);
        assertThat(client.localMasterKey()).containsOnly(0x11);
        assertThat(client.localMasterSalt()).containsOnly(0x33);
        assertThat(client.remoteMasterKey()).containsOnly(0x22);
        assertThat(client.remoteMasterSalt()).containsOnly(0x44);
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void clientAndServerContextsInteroperate(SrtpProfile profile) {
        byte[] m = material(profile);
        m[3] = 9; // make the halves differ inside too
        SrtpKeys server = SrtpKeys.fromKeyingMaterial(profile, m, true);
        SrtpKeys client = SrtpKeys.fromKeyingMaterial(profile, m, false);
        byte[] rtp = new byte[12 + 20 + profile.rtpOverhead()];
        rtp[0] = (byte) 0x80;
        rtp[3] = 1;
        int n = client.newSendContext().protectRtp(rtp, 0, 32);
        assertThat(server.newReceiveContext().unprotectRtp(rtp.clone(), 0, n)).isEqualTo(32);
        assertThat(client.newReceiveContext().unprotectRtp(rtp.clone(), 0, n))
                .as("our own send keys do not open our packets").isEqualTo(SrtpError.AUTH_FAILED);
    }

    @Test
    void refusesMaterialOfTheWrongLengthAndHidesKeys() {
        assertThatThrownBy(() -> SrtpKeys.fromKeyingMaterial(SrtpProfile.AEAD_AES_128_GCM, new byte[60], true))
                .isInstanceOf(IllegalArgumentException.class);
        SrtpKeys keys = SrtpKeys.fromKeyingMaterial(SrtpProfile.AEAD_AES_128_GCM, new byte[56], true);
        assertThat(keys.toString()).isEqualTo("SrtpKeys[AEAD_AES_128_GCM]");
        keys.localMasterKey()[0] = 1;
        assertThat(keys.localMasterKey()[0]).isZero();
    }
}
