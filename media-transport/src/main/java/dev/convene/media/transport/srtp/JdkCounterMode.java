package dev.convene.media.transport.srtp;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * The JDK's own AES counter mode ({@code com.sun.crypto.provider.CounterMode} over
 * {@code AESCrypt}) kept for one key and re-pointed at a new initial counter block per packet,
 * which the public {@code Cipher} cannot do without an {@code init} that copies the IV and
 * re-expands the key. Its {@code implCrypt} is what HotSpot replaces by the pipelined AES-NI/AVX
 * counter-mode stub; our own counter blocks through {@code AES/ECB} were about twice as slow
 * (ADR 0024). Needs the same {@code --add-opens java.base/com.sun.crypto.provider} as
 * {@link Ghash}; without it {@link #AVAILABLE} is false. Not thread-safe.
 */
final class JdkCounterMode {

    private static final MethodHandle NEW_AES;
    private static final MethodHandle NEW_CTR;
    private static final MethodHandle INIT;
    private static final MethodHandle RESET;
    private static final MethodHandle ENCRYPT;
    static final boolean AVAILABLE;

    static {
        MethodHandle newAes = null;
        MethodHandle newCtr = null;
        MethodHandle init = null;
        MethodHandle reset = null;
        MethodHandle encrypt = null;
        try {
            Class<?> aes = Class.forName("com.sun.crypto.provider.AESCrypt");
            Class<?> ctr = Class.forName("com.sun.crypto.provider.CounterMode");
            Class<?> symmetric = Class.forName("com.sun.crypto.provider.SymmetricCipher");
            MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(ctr, MethodHandles.lookup());
            newAes = lookup.findConstructor(aes, MethodType.methodType(void.class))
                    .asType(MethodType.methodType(Object.class));
            newCtr = lookup.findConstructor(ctr, MethodType.methodType(void.class, symmetric))
                    .asType(MethodType.methodType(Object.class, Object.class));
            init = lookup.findVirtual(ctr, "init", MethodType.methodType(void.class, boolean.class, String.class,
                    byte[].class, byte[].class)).asType(MethodType.methodType(void.class, Object.class, boolean.class,
                    String.class, byte[].class, byte[].class));
            reset = lookup.findVirtual(ctr, "reset", MethodType.methodType(void.class))
                    .asType(MethodType.methodType(void.class, Object.class));
            encrypt = lookup.findVirtual(ctr, "encrypt", MethodType.methodType(int.class, byte[].class, int.class,
                    int.class, byte[].class, int.class)).asType(MethodType.methodType(int.class, Object.class,
                    byte[].class, int.class, int.class, byte[].class, int.class));
        } catch (ReflectiveOperationException | RuntimeException e) {
            newAes = null;
        }
        NEW_AES = newAes;
        NEW_CTR = newCtr;
        INIT = init;
        RESET = reset;
        ENCRYPT = encrypt;
        AVAILABLE = newAes != null;
    }

    private final Object ctr;
    /** The JDK's counter mode keeps this array as its IV and copies it into its counter on reset. */
    private final byte[] iv = new byte[16];

    JdkCounterMode(byte[] key) {
        if (!AVAILABLE) {
            throw new IllegalStateException("the JDK's CounterMode is not reachable");
        }
        try {
            ctr = NEW_CTR.invokeExact(NEW_AES.invokeExact());
            INIT.invokeExact(ctr, false, "AES", key, iv);
        } catch (Throwable e) {
            throw new IllegalStateException("cannot set up AES counter mode", e);
        }
    }

    /** XORs {@code buf[off, off+len)} in place with the keystream whose first counter block is {@code counter}. */
    void xor(byte[] counter, byte[] buf, int off, int len) {
        System.arraycopy(counter, 0, iv, 0, 16);
        try {
            RESET.invokeExact(ctr);
            int n = (int) ENCRYPT.invokeExact(ctr, buf, off, len, buf, off);
            if (n != len) {
                throw new IllegalStateException("counter mode processed " + n + " of " + len + " bytes");
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }
}
