package dev.convene.signaling;

import java.security.SecureRandom;
import java.util.HexFormat;

/** Random ids with a type prefix, as docs/signaling.md shows them ({@code PA_2c9d…}). */
public final class Ids {

    private static final SecureRandom RANDOM = new SecureRandom();

    private Ids() {}

    public static String participant() {
        return "PA_" + random(8);
    }

    public static String user() {
        return "US_" + random(8);
    }

    public static String chatMessage() {
        return "CM_" + random(8);
    }

    /** A WHIP or WHEP session's resource: unguessable, as its URL is the handle a client deletes it by. */
    public static String mediaSession() {
        return "MS_" + random(16);
    }

    /** A subscriber offer's id, unique across connections so an answer can never name another socket's offer. */
    public static String offer() {
        return "OF_" + random(6);
    }

    public static String connection() {
        return "WS_" + random(6);
    }

    private static String random(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
