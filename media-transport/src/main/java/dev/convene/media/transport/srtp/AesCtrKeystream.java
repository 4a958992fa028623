package dev.convene.media.transport.srtp;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES in counter mode as SRTP uses it (RFC 3711 §4.1.1), built on AES/ECB so that a packet
 * costs no {@code Cipher.init} and no allocation: the counter blocks are written into a
 * reused buffer, encrypted in one call, and XORed into the data. Not thread-safe.
 */
final class AesCtrKeystream {
    private static final int CHUNK = 1024;
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private final Cipher ecb;
    /** The JDK's counter mode when reachable: the fast path; the ECB keystream below otherwise. */
    private final JdkCounterMode jdk;
    private final byte[] counters = new byte[CHUNK];
    private final byte[] stream = new byte[CHUNK];

    AesCtrKeystream(byte[] key) {
        this(key, JdkCounterMode.AVAILABLE);
    }

    /** With {@code jdkCounterMode} false the ECB keystream is used even when the JDK's is reachable (tests). */
    AesCtrKeystream(byte[] key, boolean jdkCounterMode) {
        try {
            ecb = Cipher.getInstance("AES/ECB/NoPadding");
            ecb.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"));
            jdk = jdkCounterMode ? new JdkCounterMode(key) : null;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES is not available", e);
        }
    }

    /** XORs {@code buf[off, off+len)} with the keystream whose first counter block is {@code iv}. */
    void xor(byte[] iv, byte[] buf, int off, int len) {
        if (jdk != null) {
            jdk.xor(iv, buf, off, len);
            return;
        }
        long ivHigh = (long) LONGS.get(iv, 0);
        long ivLow = (long) LONGS.get(iv, 8);
        long block = 0;
        int done = 0;
        while (done < len) {
            int want = Math.min(CHUNK, (len - done + 15) & ~15);
            for (int p = 0; p < want; p += 16) {
                // iv + block as a 128-bit big-endian sum, written as two longs.
                long low = ivLow + block++;
                LONGS.set(counters, p, Long.compareUnsigned(low, ivLow) < 0 ? ivHigh + 1 : ivHigh);
                LONGS.set(counters, p + 8, low);
            }
            try {
                ecb.update(counters, 0, want, stream, 0);
            } catch (ShortBufferException e) {
                throw new IllegalStateException(e);
            }
            int n = Math.min(want, len - done);
            int base = off + done;
            int i = 0;
            for (; i + 8 <= n; i += 8) {
                LONGS.set(buf, base + i, (long) LONGS.get(buf, base + i) ^ (long) LONGS.get(stream, i));
            }
            for (; i < n; i++) {
                buf[base + i] ^= stream[i];
            }
            done += n;
        }
    }

    /** {@code out[0, 16)} = AES(key, {@code in[0, 16)}); the arrays must differ. */
    void encryptBlock(byte[] in, byte[] out) {
        try {
            ecb.update(in, 0, 16, out, 0);
        } catch (ShortBufferException e) {
            throw new IllegalStateException(e);
        }
    }
}
