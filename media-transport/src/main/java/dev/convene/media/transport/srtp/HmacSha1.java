package dev.convene.media.transport.srtp;

import java.security.DigestException;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;

/**
 * HMAC-SHA1 (RFC 2104) that writes its digest into the caller's array. {@code Mac.doFinal(out,
 * off)} returns a fresh array internally and copies it, 40-odd bytes per packet for SRTP's
 * AES-CM profiles; this keeps the pads and the two digests and allocates nothing after
 * construction. The JDK's SHA-1 (and its SHA-NI/AVX intrinsic) does the hashing. STUN's
 * MESSAGE-INTEGRITY uses it too (ICE consent checks, ADR 0027). Not thread-safe.
 */
public final class HmacSha1 {
    public static final int LENGTH = 20;
    private static final int BLOCK = 64;

    private final MessageDigest inner;
    private final MessageDigest outer;
    private final byte[] innerPad = new byte[BLOCK];
    private final byte[] outerPad = new byte[BLOCK];
    private final byte[] innerDigest = new byte[LENGTH];

    public HmacSha1(byte[] key) {
        try {
            inner = MessageDigest.getInstance("SHA-1");
            outer = MessageDigest.getInstance("SHA-1");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-1 is not available", e);
        }
        byte[] k = key.length > BLOCK ? inner.digest(key) : key;
        for (int i = 0; i < BLOCK; i++) {
            byte b = i < k.length ? k[i] : 0;
            innerPad[i] = (byte) (b ^ 0x36);
            outerPad[i] = (byte) (b ^ 0x5c);
        }
        inner.reset();
        inner.update(innerPad);
    }

    public void update(byte[] buf, int off, int len) {
        inner.update(buf, off, len);
    }

    /** Writes the 20-byte MAC of everything updated since the last call to {@code out[at, at+20)}. */
    public void doFinal(byte[] out, int at) {
        try {
            inner.digest(innerDigest, 0, LENGTH);
            outer.update(outerPad);
            outer.update(innerDigest, 0, LENGTH);
            outer.digest(out, at, LENGTH);
        } catch (DigestException e) {
            throw new IllegalStateException(e);
        }
        inner.update(innerPad);
    }
}
