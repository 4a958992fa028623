package dev.convene.signaling.turn;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Ephemeral TURN credentials in the "TURN REST API" scheme (draft-uberti-behave-turn-rest-00)
 * that coturn checks with {@code use-auth-secret}: the username is
 * {@code <expiry unix time>:<who>}, the password is base64(HMAC-SHA1(secret, username)). The
 * TURN server needs no call to Convene and no user database: it recomputes the password from the
 * username and refuses it once the expiry has passed.
 */
public final class TurnCredentials {

    private final TurnConfig config;
    private final Clock clock;

    public TurnCredentials(TurnConfig config, Clock clock) {
        this.config = Objects.requireNonNull(config, "config");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The ICE servers for one participant: one entry with every URL, or none when TURN is off. */
    public List<IceServer> iceServers(String participantId) {
        if (!config.enabled()) {
            return List.of();
        }
        if (participantId.indexOf(':') >= 0) {
            // The TURN server takes everything before the first ':' as the expiry.
            throw new IllegalArgumentException("a TURN user must not contain ':'");
        }
        long expiry = clock.instant().plus(config.ttl()).getEpochSecond();
        String username = expiry + ":" + participantId;
        return List.of(new IceServer(config.urls(), username, password(config.secret(), username)));
    }

    /** base64(HMAC-SHA1(secret, username)), as coturn computes it. */
    public static String password(String secret, String username) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            return Base64.getEncoder().encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA1 is part of every JDK", e);
        }
    }
}
