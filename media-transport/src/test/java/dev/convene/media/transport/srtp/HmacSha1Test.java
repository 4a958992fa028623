package dev.convene.media.transport.srtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** {@link HmacSha1} against RFC 2202 and the JDK's Mac, and without allocation per message. */
class HmacSha1Test {

    /** RFC 2202 §3, test case 2: key "Jefe", data "what do ya want for nothing?". */
    @Test
    void rfc2202TestCase2() {
        HmacSha1 mac = new HmacSha1("Jefe".getBytes(StandardCharsets.US_ASCII));
        byte[] data = "what do ya want for nothing?".getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[25];
        mac.update(data, 0, data.length);
        mac.doFinal(out, 3);
        assertThat(HexFormat.of().formatHex(out, 3, 23)).isEqualTo("effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
    }

    @Test
    void agreesWithTheJdkMacForKeysAndMessagesOfEverySize() throws Exception {
        Random random = new Random(11);
        for (int keyLength : new int[] {20, 64, 80}) {
            byte[] key = new byte[keyLength];
            random.nextBytes(key);
            HmacSha1 ours = new HmacSha1(key);
            Mac jdk = Mac.getInstance("HmacSHA1");
            jdk.init(new SecretKeySpec(key, "HmacSHA1"));
            for (int len = 0; len < 300; len += 7) {
                byte[] data = new byte[len];
                random.nextBytes(data);
                byte[] out = new byte[20];
                ours.update(data, 0, len);
                ours.doFinal(out, 0);
                assertThat(out).as("key %d, len %d", keyLength, len).isEqualTo(jdk.doFinal(data));
            }
        }
    }

    @Test
    void allocatesNothingPerMessage() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        HmacSha1 mac = new HmacSha1(new byte[20]);
        byte[] data = new byte[1100];
        byte[] out = new byte[20];
        long before = 0;
        for (int i = 0; i < 40_000; i++) {
            if (i == 20_000) {
                before = threads.getCurrentThreadAllocatedBytes();
            }
            data[0] = (byte) i;
            mac.update(data, 0, data.length);
            mac.doFinal(out, 0);
        }
        assertThat(threads.getCurrentThreadAllocatedBytes() - before).isLessThan(16 * 1024);
        assertThat(Arrays.equals(out, new byte[20])).isFalse();
    }
}
