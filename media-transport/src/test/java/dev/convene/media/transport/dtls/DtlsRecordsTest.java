package dev.convene.media.transport.dtls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.convene.media.transport.srtp.SrtpProfile;
import java.util.List;
import org.junit.jupiter.api.Test;

class DtlsRecordsTest {

    private static byte[] record(int type, int length) {
        byte[] r = new byte[13 + length];
        r[0] = (byte) type;
        r[1] = (byte) 0xFE;
        r[2] = (byte) 0xFD;
        r[11] = (byte) (length >> 8);
        r[12] = (byte) length;
        return r;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = new byte[a.length + b.length];
        System.arraycopy(a, 0, c, 0, a.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    @Test
    void acceptsWholeRecordsAtAnOffset() {
        byte[] two = concat(record(22, 100), record(20, 1));
        byte[] padded = concat(new byte[7], two);
        assertThat(DtlsRecords.isWellFormed(two, 0, two.length)).isTrue();
        assertThat(DtlsRecords.isWellFormed(padded, 7, two.length)).isTrue();
    }

    @Test
    void rejectsWhatIsNotWholeDtlsRecords() {
        byte[] r = record(22, 100);
        assertThat(DtlsRecords.isWellFormed(r, 0, r.length - 1)).isFalse(); // truncated
        assertThat(DtlsRecords.isWellFormed(concat(r, new byte[3]), 0, r.length + 3)).isFalse(); // trailing bytes
        assertThat(DtlsRecords.isWellFormed(r, 0, 12)).isFalse(); // shorter than a header
        byte[] tls = record(22, 10);
        tls[1] = 3; // TLS, not DTLS
        assertThat(DtlsRecords.isWellFormed(tls, 0, tls.length)).isFalse();
        byte[] type = record(63, 10);
        assertThat(DtlsRecords.isWellFormed(type, 0, type.length)).isFalse();
        byte[] empty = record(22, 0);
        assertThat(DtlsRecords.isWellFormed(empty, 0, empty.length)).isFalse();
    }

    @Test
    void serverPicksItsFirstPreferenceAmongOffered() {
        List<SrtpProfile> prefs = DtlsConfig.SERVER_PROFILES;
        assertThat(DtlsSrtpNegotiation.select(prefs, new int[] {0x0001, 0x0007})).contains(SrtpProfile.AEAD_AES_128_GCM);
        assertThat(DtlsSrtpNegotiation.select(prefs, new int[] {0x0002, 0x0001})).contains(SrtpProfile.AES_CM_128_HMAC_SHA1_80);
        assertThat(DtlsSrtpNegotiation.select(prefs, new int[] {0x0002})).contains(SrtpProfile.AES_CM_128_HMAC_SHA1_32);
        assertThat(DtlsSrtpNegotiation.select(prefs, new int[] {0x0008, 0xBEEF})).isEmpty();
    }
}
