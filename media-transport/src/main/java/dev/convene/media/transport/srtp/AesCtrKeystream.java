package dev.convene.media.transport.srtp;

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

    private final Cipher ecb;
    private final byte[] counters = new byte[CHUNK];
    private final byte[] stream = new byte[CHUNK];

    AesCtrKeystream(byte[] key) {
        try {
            ecb = Cipher.getInstance("AES/ECB/NoPadding");
            ecb.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES is not available", e);
        }
    }

    /** XORs {@code buf[off, off+len)} with the keystream whose first counter block is {@code iv}. */
    void xor(byte[] iv, byte[] buf, int off, int len) {
        long block = 0;
        int done = 0;
        while (done < len) {
            int want = Math.min(CHUNK, (len - done + 15) & ~15);
            for (int p = 0; p < want; p += 16) {
                writeCounter(iv, block++, counters, p);
            }
            try {
                ecb.update(counters, 0, want, stream, 0);
            } catch (ShortBufferException e) {
                throw new IllegalStateException(e);
            }
            int n = Math.min(want, len - done);
            int base = off + done;
            for (int i = 0; i < n; i++) {
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

    /** out[p, p+16) = iv + block, as 128-bit big-endian integers. */
    private static void writeCounter(byte[] iv, long block, byte[] out, int p) {
        int carry = 0;
        long add = block;
        for (int i = 15; i >= 0; i--) {
            int sum = (iv[i] & 0xFF) + (int) (add & 0xFF) + carry;
            out[p + i] = (byte) sum;
            carry = sum >>> 8;
            add >>>= 8;
        }
    }
}
