package dev.convene.server;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** A JWT key from the command line: {@code kid:secret}. */
public record JwtKeyOption(String kid, String secret) {

    static final int MIN_SECRET_LENGTH = 32;

    public JwtKeyOption {
        if (kid.isBlank()) {
            throw new IllegalArgumentException("a JWT key needs a key id before ':'");
        }
        if (secret.length() < MIN_SECRET_LENGTH) {
            throw new IllegalArgumentException("the JWT secret of key '" + kid + "' is shorter than "
                    + MIN_SECRET_LENGTH + " characters");
        }
    }

    /** Parses {@code kid:secret} values; none at all gives one random key. */
    static List<JwtKeyOption> parse(List<String> values) {
        List<JwtKeyOption> keys = new ArrayList<>();
        if (values != null) {
            for (String value : values) {
                int colon = value.indexOf(':');
                if (colon < 0) {
                    throw new IllegalArgumentException("--jwt-keys takes kid:secret, got a value without ':'");
                }
                keys.add(new JwtKeyOption(value.substring(0, colon), value.substring(colon + 1)));
            }
        }
        if (keys.isEmpty()) {
            byte[] secret = new byte[32];
            new SecureRandom().nextBytes(secret);
            keys.add(new JwtKeyOption("local", HexFormat.of().formatHex(secret)));
        }
        return List.copyOf(keys);
    }
}
