package dev.convene.control;

import java.util.Objects;

/**
 * One shared HMAC-SHA256 secret of the control channel and the id ({@code kid} header) tokens
 * name it by. Every signaling and SFU node of a deployment is given the same keys; the first
 * key signs, every key verifies, so a secret rotates by adding the new key first and dropping
 * the old one a minute (the token lifetime) later.
 */
public record ControlKey(String kid, String secret) {

    public static final int MIN_SECRET_LENGTH = 32;

    public ControlKey {
        Objects.requireNonNull(kid, "kid");
        Objects.requireNonNull(secret, "secret");
        if (kid.isBlank()) {
            throw new IllegalArgumentException("control key id must not be blank");
        }
        if (secret.length() < MIN_SECRET_LENGTH) {
            throw new IllegalArgumentException(
                    "control secret of key '" + kid + "' must have at least " + MIN_SECRET_LENGTH + " characters");
        }
    }

    @Override
    public String toString() {
        return "ControlKey[kid=" + kid + ", secret=***]";
    }
}
