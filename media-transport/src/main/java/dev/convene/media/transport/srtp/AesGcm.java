package dev.convene.media.transport.srtp;

/**
 * AES-GCM with a 96-bit IV and a 128-bit tag (NIST SP 800-38D) for one key, in place and with
 * no allocation per packet: counter mode over the AES block cipher ({@link AesCtrKeystream}, the
 * JDK's AES-NI) and {@link Ghash} over the JDK's carry-less-multiply stub. The AAD may come in two
 * pieces, as SRTCP's does (header, then the E-flag and index word). Not thread-safe.
 */
final class AesGcm {
    static final int TAG_LENGTH = 16;

    private final AesCtrKeystream aes;
    private final Ghash ghash;
    private final byte[] j0 = new byte[16];
    private final byte[] counter = new byte[16];
    private final byte[] mask = new byte[16];
    private final byte[] tag = new byte[16];

    AesGcm(byte[] key) {
        aes = new AesCtrKeystream(key);
        byte[] h = new byte[16];
        aes.encryptBlock(new byte[16], h);
        ghash = new Ghash(h);
    }

    /**
     * Encrypts {@code buf[off, off+len)} in place and writes the tag after it.
     *
     * @return {@code len + 16}
     */
    int seal(byte[] iv, byte[] aad, int aadOff, int aadLen, byte[] aad2, int aad2Off, int aad2Len,
            byte[] buf, int off, int len) {
        start(iv);
        aes.xor(counter, buf, off, len);
        authenticate(aad, aadOff, aadLen, aad2, aad2Off, aad2Len, buf, off, len);
        System.arraycopy(tag, 0, buf, off + len, TAG_LENGTH);
        return len + TAG_LENGTH;
    }

    /**
     * Checks the tag at the end of {@code buf[off, off+len)} and decrypts the rest in place.
     *
     * @return the plaintext length, or -1 if the tag does not match (nothing is decrypted)
     */
    int open(byte[] iv, byte[] aad, int aadOff, int aadLen, byte[] aad2, int aad2Off, int aad2Len,
            byte[] buf, int off, int len) {
        int textLength = len - TAG_LENGTH;
        if (textLength < 0) {
            return -1;
        }
        start(iv);
        authenticate(aad, aadOff, aadLen, aad2, aad2Off, aad2Len, buf, off, textLength);
        int diff = 0;
        for (int i = 0; i < TAG_LENGTH; i++) {
            diff |= tag[i] ^ buf[off + textLength + i];
        }
        if (diff != 0) {
            return -1;
        }
        aes.xor(counter, buf, off, textLength);
        return textLength;
    }

    /** J0 = IV || 0^31 || 1; the text's first counter block is J0 + 1. */
    private void start(byte[] iv) {
        System.arraycopy(iv, 0, j0, 0, 12);
        j0[12] = 0;
        j0[13] = 0;
        j0[14] = 0;
        j0[15] = 1;
        System.arraycopy(j0, 0, counter, 0, 16);
        counter[15] = 2;
    }

    /** tag = E(K, J0) XOR GHASH(A || pad || C || pad || len(A) || len(C)) over the ciphertext. */
    private void authenticate(byte[] aad, int aadOff, int aadLen, byte[] aad2, int aad2Off, int aad2Len,
            byte[] text, int textOff, int textLen) {
        ghash.reset();
        ghash.update(aad, aadOff, aadLen);
        if (aad2Len > 0) {
            ghash.update(aad2, aad2Off, aad2Len);
        }
        ghash.pad();
        ghash.update(text, textOff, textLen);
        ghash.finish(aadLen + aad2Len, textLen, tag, 0);
        aes.encryptBlock(j0, mask);
        for (int i = 0; i < TAG_LENGTH; i++) {
            tag[i] ^= mask[i];
        }
    }
}
