package dev.convene.media.transport.srtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * {@link AesGcm} (our counter mode and the JDK's GHASH stub) against NIST's test case and the
 * JDK's own GCM cipher, for every length around the block boundaries, AAD in one piece and in
 * two, placed at an odd offset; and it allocates nothing per packet.
 */
class AesGcmTest {

    private static final HexFormat HEX = HexFormat.of();

    @Test
    void theBuildReachesTheJdksGhash() {
        // The build's test JVMs are started with --add-opens for it, as the server jar is: without
        // it SRTP falls back to the allocating JCA cipher, which this test is here to notice.
        assertThat(Ghash.AVAILABLE).isTrue();
    }

    /** McGrew & Viega, "The Galois/Counter Mode of Operation", test case 4 (AES-128, 60-byte text, 20-byte AAD). */
    @Test
    void nistTestCase4() {
        byte[] key = HEX.parseHex("feffe9928665731c6d6a8f9467308308");
        byte[] iv = HEX.parseHex("cafebabefacedbaddecaf888");
        byte[] plain = HEX.parseHex("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95"
                + "956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39");
        byte[] aad = HEX.parseHex("feedfacedeadbeeffeedfacedeadbeefabaddad2");
        byte[] buf = Arrays.copyOf(plain, plain.length + 16);
        int n = new AesGcm(key).seal(iv, aad, 0, aad.length, aad, 0, 0, buf, 0, plain.length);
        assertThat(n).isEqualTo(plain.length + 16);
        assertThat(HEX.formatHex(buf)).isEqualTo("42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
                + "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091" + "5bc94fbc3221a5db94fae95ae7121a47");
    }

    @Test
    void agreesWithTheJdkCipherForEveryLengthAndOpensWhatItSeals() throws Exception {
        Random random = new Random(7);
        for (int keyLength : new int[] {16, 32}) {
            byte[] key = new byte[keyLength];
            random.nextBytes(key);
            AesGcm gcm = new AesGcm(key);
            Cipher jdk = Cipher.getInstance("AES/GCM/NoPadding");
            for (int len = 0; len <= 1200; len += len < 70 ? 1 : 37) {
                for (int aad2 = 0; aad2 <= 4; aad2 += 4) {
                    byte[] iv = new byte[12];
                    random.nextBytes(iv);
                    int aadLen = 8 + random.nextInt(20);
                    int off = 3;
                    byte[] packet = new byte[off + aadLen + len + 16 + aad2];
                    random.nextBytes(packet);
                    byte[] original = packet.clone();
                    int aad2At = packet.length - aad2;

                    int sealed = gcm.seal(iv, packet, off, aadLen, packet, aad2At, aad2, packet, off + aadLen, len);
                    assertThat(sealed).isEqualTo(len + 16);

                    jdk.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, iv));
                    jdk.updateAAD(original, off, aadLen);
                    jdk.updateAAD(original, aad2At, aad2);
                    byte[] expected = jdk.doFinal(original, off + aadLen, len);
                    assertThat(Arrays.copyOfRange(packet, off + aadLen, off + aadLen + len + 16))
                            .as("len %d, aad %d+%d, key %d", len, aadLen, aad2, keyLength).isEqualTo(expected);

                    int opened = gcm.open(iv, packet, off, aadLen, packet, aad2At, aad2, packet, off + aadLen, len + 16);
                    assertThat(opened).isEqualTo(len);
                    assertThat(Arrays.copyOfRange(packet, off + aadLen, off + aadLen + len))
                            .isEqualTo(Arrays.copyOfRange(original, off + aadLen, off + aadLen + len));
                }
            }
        }
    }

    @Test
    void aChangedByteAnywhereFailsTheTagAndDecryptsNothing() {
        byte[] key = new byte[16];
        byte[] iv = new byte[12];
        AesGcm gcm = new AesGcm(key);
        byte[] packet = new byte[12 + 40 + 16];
        gcm.seal(iv, packet, 0, 12, packet, 0, 0, packet, 12, 40);
        for (int i = 0; i < packet.length; i++) {
            byte[] tampered = packet.clone();
            tampered[i] ^= 0x20;
            byte[] before = tampered.clone();
            assertThat(gcm.open(iv, tampered, 0, 12, tampered, 0, 0, tampered, 12, 56)).as("byte %d", i).isEqualTo(-1);
            assertThat(tampered).as("ciphertext left as it was").isEqualTo(before);
        }
        assertThat(gcm.open(iv, packet, 0, 12, packet, 0, 0, packet, 12, 15)).as("shorter than a tag").isEqualTo(-1);
    }

    @Test
    void sealingAndOpeningAllocateNothing() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        AesGcm gcm = new AesGcm(new byte[16]);
        byte[] iv = new byte[12];
        byte[] packet = new byte[12 + 1100 + 16];
        long before = 0;
        int opened = 0;
        for (int i = 0; i < 40_000; i++) {
            if (i == 20_000) {
                before = threads.getCurrentThreadAllocatedBytes();
            }
            iv[11] = (byte) i;
            gcm.seal(iv, packet, 0, 12, packet, 0, 0, packet, 12, 1100);
            if (gcm.open(iv, packet, 0, 12, packet, 0, 0, packet, 12, 1116) == 1100) {
                opened++;
            }
        }
        assertThat(opened).isEqualTo(40_000);
        // 20,000 packets: one 16-byte object each would be 320 KB.
        assertThat(threads.getCurrentThreadAllocatedBytes() - before).isLessThan(16 * 1024);
    }
}
