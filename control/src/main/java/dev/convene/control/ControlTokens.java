package dev.convene.control;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.JWTDecodeException;
import com.auth0.jwt.exceptions.JWTVerificationException;
import com.auth0.jwt.interfaces.DecodedJWT;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tokens one node shows another to open a control connection: HS256, {@code kid} header,
 * {@code typ=sfu-control}, {@code sub} the calling node, {@code aud} the SFU node it may drive,
 * and a short life, since a token is minted per connection and only used for the handshake.
 * {@code typ} keeps a token of the public API (same algorithm, maybe a shared secret by
 * mistake) from ever opening a control connection.
 */
final class ControlTokens {

    static final String ISSUER = "convene";
    static final String TYP = "typ";
    static final String TYPE = "sfu-control";
    static final Duration TTL = Duration.ofSeconds(60);
    /** Tokens claiming a longer life than this are refused: a leaked one must not stay useful. */
    static final Duration MAX_TTL = Duration.ofMinutes(5);

    /** What a verified token says. */
    record Caller(String callerId, String kid) {}

    static final class InvalidTokenException extends Exception {
        InvalidTokenException(String message) {
            super(message);
        }
    }

    private final Clock clock;
    private final Duration skew;
    private final String signingKid;
    private final Map<String, Algorithm> algorithms = new LinkedHashMap<>();

    ControlTokens(List<ControlKey> keys, Clock clock, Duration skew) {
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("no control keys");
        }
        this.clock = clock;
        this.skew = skew;
        for (ControlKey key : keys) {
            algorithms.put(key.kid(), Algorithm.HMAC256(key.secret().getBytes(StandardCharsets.UTF_8)));
        }
        this.signingKid = keys.getFirst().kid();
    }

    String mint(String callerId, String sfuNodeId) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        return JWT.create()
                .withKeyId(signingKid)
                .withIssuer(ISSUER)
                .withClaim(TYP, TYPE)
                .withSubject(callerId)
                .withAudience(sfuNodeId)
                .withIssuedAt(now)
                .withExpiresAt(now.plus(TTL))
                .sign(algorithms.get(signingKid));
    }

    Caller verify(String token, String sfuNodeId) throws InvalidTokenException {
        if (token == null || token.isBlank()) {
            throw new InvalidTokenException("no token");
        }
        DecodedJWT unverified;
        try {
            unverified = JWT.decode(token);
        } catch (JWTDecodeException e) {
            throw new InvalidTokenException("not a JWT");
        }
        Algorithm algorithm = unverified.getKeyId() == null ? null : algorithms.get(unverified.getKeyId());
        if (algorithm == null) {
            throw new InvalidTokenException("unknown key id");
        }
        long leeway = skew.toSeconds();
        JWTVerifier verifier = ((JWTVerifier.BaseVerification) JWT.require(algorithm)
                .withIssuer(ISSUER)
                .withClaim(TYP, TYPE)
                .withAudience(sfuNodeId)
                .withClaimPresence("sub")
                .withClaimPresence("iat")
                .withClaimPresence("exp")
                .acceptLeeway(leeway))
                .build(clock);
        DecodedJWT jwt;
        try {
            jwt = verifier.verify(unverified);
        } catch (JWTVerificationException e) {
            throw new InvalidTokenException(e.getMessage());
        }
        if (Duration.between(jwt.getIssuedAtAsInstant(), jwt.getExpiresAtAsInstant()).compareTo(MAX_TTL) > 0) {
            throw new InvalidTokenException("token lives longer than " + MAX_TTL.toMinutes() + " min");
        }
        return new Caller(jwt.getSubject(), jwt.getKeyId());
    }
}
