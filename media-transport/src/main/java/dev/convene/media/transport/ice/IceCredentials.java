package dev.convene.media.transport.ice;

import java.security.SecureRandom;
import java.util.Objects;

/**
 * An ICE username fragment and password (RFC 8445 §5.3; grammar in RFC 8839 §5.4:
 * ice-char = ALPHA / DIGIT / "+" / "/", ufrag 4–256 chars, pwd 22–256 chars).
 */
public record IceCredentials(String ufrag, String password) {
    public static final int UFRAG_LENGTH = 8;
    /** 24 characters of 6 bits: 144 bits, above the 128 that RFC 8445 asks for. */
    public static final int PASSWORD_LENGTH = 24;

    private static final String ICE_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    private static final SecureRandom RANDOM = new SecureRandom();

    public IceCredentials {
        Objects.requireNonNull(ufrag, "ufrag");
        Objects.requireNonNull(password, "password");
        if (ufrag.length() < 4 || ufrag.length() > 256 || !isIceChars(ufrag)) {
            throw new IllegalArgumentException("ICE ufrag must be 4-256 ice-chars");
        }
        if (password.length() < 22 || password.length() > 256 || !isIceChars(password)) {
            throw new IllegalArgumentException("ICE password must be 22-256 ice-chars");
        }
    }

    public static IceCredentials random() {
        return random(RANDOM);
    }

    public static IceCredentials random(SecureRandom random) {
        return new IceCredentials(randomString(random, UFRAG_LENGTH), randomString(random, PASSWORD_LENGTH));
    }

    /** Whether every character is an ice-char. */
    public static boolean isIceChars(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (ICE_CHARS.indexOf(s.charAt(i)) < 0) {
                return false;
            }
        }
        return true;
    }

    /** Never prints the password. */
    @Override
    public String toString() {
        return "IceCredentials[ufrag=" + ufrag + "]";
    }

    private static String randomString(SecureRandom random, int length) {
        char[] out = new char[length];
        for (int i = 0; i < length; i++) {
            out[i] = ICE_CHARS.charAt(random.nextInt(ICE_CHARS.length()));
        }
        return new String(out);
    }
}
