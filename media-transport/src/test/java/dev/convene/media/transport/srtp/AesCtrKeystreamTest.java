package dev.convene.media.transport.srtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * Both keystreams — the JDK's counter mode re-pointed per packet and our counter blocks
 * through AES/ECB (the fallback) — agree with the JCA's {@code AES/CTR} for every length
 * around the block and chunk boundaries, at odd offsets, and across a carry out of the low 64
 * bits of the counter.
 */
class AesCtrKeystreamTest {

    @Test
    void theBuildReachesTheJdksCounterMode() {
        assertThat(JdkCounterMode.AVAILABLE).isTrue();
    }

    @Test
    void bothKeystreamsAgreeWithTheJcaCounterMode() throws Exception {
        Random random = new Random(5);
        byte[] key = new byte[16];
        random.nextBytes(key);
        AesCtrKeystream jdk = new AesCtrKeystream(key, true);
        AesCtrKeystream ecb = new AesCtrKeystream(key, false);
        Cipher reference = Cipher.getInstance("AES/CTR/NoPadding");
        for (int len = 0; len < 2_200; len += len < 40 ? 1 : 61) {
            for (boolean carry : new boolean[] {false, true}) {
                byte[] iv = new byte[16];
                random.nextBytes(iv);
                if (carry) {
                    Arrays.fill(iv, 8, 16, (byte) 0xFF);
                    iv[15] = (byte) 0xFE;
                }
                byte[] data = new byte[len + 5];
                random.nextBytes(data);
                reference.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(iv));
                byte[] expected = reference.doFinal(data, 5, len);
                byte[] a = data.clone();
                byte[] b = data.clone();
                jdk.xor(iv, a, 5, len);
                ecb.xor(iv, b, 5, len);
                assertThat(Arrays.copyOfRange(a, 5, 5 + len)).as("jdk, len %d, carry %s", len, carry).isEqualTo(expected);
                assertThat(Arrays.copyOfRange(b, 5, 5 + len)).as("ecb, len %d, carry %s", len, carry).isEqualTo(expected);
                assertThat(Arrays.copyOf(a, 5)).isEqualTo(Arrays.copyOf(data, 5));
            }
        }
    }
}
