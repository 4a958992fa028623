package dev.convene.media.transport.srtp;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import org.slf4j.LoggerFactory;

/**
 * GHASH (NIST SP 800-38D §6.4) for one hash subkey, with no allocation per message. The block
 * multiplication is the JDK's own {@code com.sun.crypto.provider.GHASH.processBlocks}, which
 * HotSpot replaces by its carry-less-multiply stub (PCLMULQDQ/AVX): the JDK's GCM cipher
 * cannot be re-keyed with a new IV without building a new engine (about 1 KB per packet), but its
 * hash is a static method over arrays we own. Reaching it needs
 * {@code --add-opens java.base/com.sun.crypto.provider=ALL-UNNAMED} (the server jar's manifest
 * and the build's test JVMs carry it); without it {@link #AVAILABLE} is false and callers keep the
 * JCA cipher. Not thread-safe.
 */
final class Ghash {

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final MethodHandle PROCESS_BLOCKS = processBlocks();
    /** Whether the JDK's GHASH can be reached; when false, no instance can be made. */
    static final boolean AVAILABLE = PROCESS_BLOCKS != null;

    static {
        // Once per process, so an operator sees which SRTP path a JVM started without the flag took.
        if (AVAILABLE && JdkCounterMode.AVAILABLE) {
            LoggerFactory.getLogger(Ghash.class).info("event=srtp_aes engine=jdk_stubs allocation_per_packet=none");
        } else {
            LoggerFactory.getLogger(Ghash.class).warn("event=srtp_aes engine=jca allocation_per_packet=gcm_engine "
                    + "hint=\"add --add-opens java.base/com.sun.crypto.provider=ALL-UNNAMED\"");
        }
    }

    private final long[] state = new long[2];
    /** H, then room for the powers of H the JDK's AVX stub precomputes into it on first use. */
    private final long[] subkey = new long[18];
    private final byte[] partial = new byte[16];
    private int partialLength;

    /** @param h the hash subkey E(K, 0^128), 16 bytes */
    Ghash(byte[] h) {
        if (!AVAILABLE) {
            throw new IllegalStateException("the JDK's GHASH is not reachable: add --add-opens "
                    + "java.base/com.sun.crypto.provider=ALL-UNNAMED");
        }
        subkey[0] = (long) LONGS.get(h, 0);
        subkey[1] = (long) LONGS.get(h, 8);
    }

    void reset() {
        state[0] = 0;
        state[1] = 0;
        partialLength = 0;
    }

    /** Hashes {@code buf[off, off+len)} as a continuation of what was hashed since the last {@link #pad}. */
    void update(byte[] buf, int off, int len) {
        if (partialLength > 0) {
            int n = Math.min(len, 16 - partialLength);
            System.arraycopy(buf, off, partial, partialLength, n);
            partialLength += n;
            off += n;
            len -= n;
            if (partialLength < 16) {
                return;
            }
            blocks(partial, 0, 1);
            partialLength = 0;
        }
        int whole = len >>> 4;
        if (whole > 0) {
            blocks(buf, off, whole);
        }
        int rest = len & 15;
        if (rest > 0) {
            System.arraycopy(buf, off + (whole << 4), partial, 0, rest);
            partialLength = rest;
        }
    }

    /** Ends a field (the AAD or the ciphertext): a partial block is hashed zero-padded. */
    void pad() {
        if (partialLength > 0) {
            java.util.Arrays.fill(partial, partialLength, 16, (byte) 0);
            blocks(partial, 0, 1);
            partialLength = 0;
        }
    }

    /** Hashes the length block of {@code aadBytes} and {@code textBytes} and writes S to {@code out[at, at+16)}. */
    void finish(long aadBytes, long textBytes, byte[] out, int at) {
        pad();
        LONGS.set(partial, 0, aadBytes << 3);
        LONGS.set(partial, 8, textBytes << 3);
        blocks(partial, 0, 1);
        LONGS.set(out, at, state[0]);
        LONGS.set(out, at + 8, state[1]);
    }

    private void blocks(byte[] buf, int off, int count) {
        try {
            PROCESS_BLOCKS.invokeExact(buf, off, count, state, subkey);
        } catch (Throwable e) {
            throw new IllegalStateException("GHASH failed", e);
        }
    }

    private static MethodHandle processBlocks() {
        try {
            Class<?> ghash = Class.forName("com.sun.crypto.provider.GHASH");
            MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(ghash, MethodHandles.lookup());
            return lookup.findStatic(ghash, "processBlocks", MethodType.methodType(void.class, byte[].class,
                    int.class, int.class, long[].class, long[].class));
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }
}
