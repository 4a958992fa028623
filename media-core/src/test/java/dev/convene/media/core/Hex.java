package dev.convene.media.core;

/** Test helper: bytes from a hex string with optional spaces. */
public final class Hex {
    private Hex() {}

    public static byte[] bytes(String hex) {
        String clean = hex.replaceAll("\\s+", "");
        byte[] out = new byte[clean.length() / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) Integer.parseInt(clean.substring(2 * i, 2 * i + 2), 16);
        }
        return out;
    }

    /** {@code bytes} placed at {@code offset} of a larger array filled with junk, to catch forgotten base offsets. */
    public static byte[] at(int offset, byte[] bytes) {
        byte[] out = new byte[offset + bytes.length + 7];
        java.util.Arrays.fill(out, (byte) 0xA5);
        System.arraycopy(bytes, 0, out, offset, bytes.length);
        return out;
    }
}
