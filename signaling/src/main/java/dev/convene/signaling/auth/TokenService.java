package dev.convene.signaling.auth;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.JWTDecodeException;
import com.auth0.jwt.exceptions.JWTVerificationException;
import com.auth0.jwt.interfaces.DecodedJWT;
import dev.convene.signaling.SignalingConfig.JwtKey;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Issues and verifies Convene's HS256 JWTs. The first configured key signs and names itself in
 * the {@code kid} header; any configured key verifies the tokens that name it, so keys rotate
 * by adding the new key first and dropping the old one once its tokens have expired. Every
 * token carries {@code typ} ({@link TokenType}), checked on verification.
 */
public final class TokenService {

    static final String ISSUER = "convene";
    private static final String TYP = "typ";
    private static final String NAME = "name";
    private static final String MEETING = "mid";
    private static final String USER = "uid";
    private static final String SFU = "sfu";

    private final Clock clock;
    private final String signingKid;
    private final Algorithm signer;
    private final Map<String, Algorithm> verifiers = new LinkedHashMap<>();

    public TokenService(List<JwtKey> keys, Clock clock) {
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("no JWT keys");
        }
        this.clock = clock;
        for (JwtKey key : keys) {
            verifiers.put(key.kid(), Algorithm.HMAC256(key.secret().getBytes(StandardCharsets.UTF_8)));
        }
        this.signingKid = keys.getFirst().kid();
        this.signer = verifiers.get(signingKid);
    }

    /** An issued token and the instant it expires (whole seconds, as in the token). */
    public record Issued(String token, Instant expiresAt) {}

    public Issued issueAccess(String userId, String displayName, Duration ttl) {
        Instant now = now();
        Instant exp = now.plus(ttl);
        String token = JWT.create()
                .withKeyId(signingKid)
                .withIssuer(ISSUER)
                .withClaim(TYP, TokenType.ACCESS.claim())
                .withSubject(userId)
                .withClaim(NAME, displayName)
                .withIssuedAt(now)
                .withExpiresAt(exp)
                .sign(signer);
        return new Issued(token, exp);
    }

    public Issued issueJoin(UUID meetingId, String participantId, String userId, String displayName, String sfuNodeId,
            Duration ttl) {
        Instant now = now();
        Instant exp = now.plus(ttl);
        String token = JWT.create()
                .withKeyId(signingKid)
                .withIssuer(ISSUER)
                .withClaim(TYP, TokenType.JOIN.claim())
                .withSubject(participantId)
                .withClaim(MEETING, meetingId.toString())
                .withClaim(USER, userId)
                .withClaim(NAME, displayName)
                .withClaim(SFU, sfuNodeId)
                .withIssuedAt(now)
                .withExpiresAt(exp)
                .sign(signer);
        return new Issued(token, exp);
    }

    public Issued issueResume(UUID meetingId, String participantId, Duration ttl) {
        Instant now = now();
        Instant exp = now.plus(ttl);
        String token = JWT.create()
                .withKeyId(signingKid)
                .withIssuer(ISSUER)
                .withClaim(TYP, TokenType.RESUME.claim())
                .withSubject(participantId)
                .withClaim(MEETING, meetingId.toString())
                .withIssuedAt(now)
                .withExpiresAt(exp)
                .sign(signer);
        return new Issued(token, exp);
    }

    public AccessClaims verifyAccess(String token) throws InvalidTokenException {
        DecodedJWT jwt = verify(token, TokenType.ACCESS);
        String name = jwt.getClaim(NAME).asString();
        if (jwt.getSubject() == null || name == null) {
            throw new InvalidTokenException("access token lacks subject or name");
        }
        return new AccessClaims(jwt.getSubject(), name, jwt.getExpiresAtAsInstant());
    }

    public JoinClaims verifyJoin(String token) throws InvalidTokenException {
        DecodedJWT jwt = verify(token, TokenType.JOIN);
        String meeting = jwt.getClaim(MEETING).asString();
        String user = jwt.getClaim(USER).asString();
        String name = jwt.getClaim(NAME).asString();
        String sfu = jwt.getClaim(SFU).asString();
        if (jwt.getSubject() == null || meeting == null || user == null || name == null || sfu == null) {
            throw new InvalidTokenException("join token lacks a claim");
        }
        try {
            return new JoinClaims(UUID.fromString(meeting), jwt.getSubject(), user, name, sfu, jwt.getExpiresAtAsInstant());
        } catch (IllegalArgumentException e) {
            throw new InvalidTokenException("join token names no meeting", e);
        }
    }

    private DecodedJWT verify(String token, TokenType type) throws InvalidTokenException {
        if (token == null || token.isBlank()) {
            throw new InvalidTokenException("no token");
        }
        DecodedJWT unverified;
        try {
            unverified = JWT.decode(token);
        } catch (JWTDecodeException e) {
            throw new InvalidTokenException("not a JWT", e);
        }
        Algorithm algorithm = unverified.getKeyId() == null ? null : verifiers.get(unverified.getKeyId());
        if (algorithm == null) {
            throw new InvalidTokenException("unknown signing key");
        }
        JWTVerifier verifier = ((JWTVerifier.BaseVerification) JWT.require(algorithm)
                .withIssuer(ISSUER)
                .withClaim(TYP, type.claim())
                .withClaimPresence("exp"))
                .build(clock);
        try {
            return verifier.verify(unverified);
        } catch (JWTVerificationException e) {
            throw new InvalidTokenException(e.getMessage(), e);
        }
    }

    /** JWT times are whole seconds; issuing at a whole second keeps {@code expires_in} exact. */
    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.SECONDS);
    }
}
