package dev.convene.signaling.auth;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTCreator;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.AlgorithmMismatchException;
import com.auth0.jwt.exceptions.IncorrectClaimException;
import com.auth0.jwt.exceptions.JWTDecodeException;
import com.auth0.jwt.exceptions.JWTVerificationException;
import com.auth0.jwt.exceptions.MissingClaimException;
import com.auth0.jwt.exceptions.SignatureVerificationException;
import com.auth0.jwt.exceptions.TokenExpiredException;
import com.auth0.jwt.interfaces.DecodedJWT;
import dev.convene.signaling.SignalingConfig.JwtKey;
import dev.convene.signaling.auth.InvalidTokenException.Reason;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issues and verifies Convene's HS256 JWTs, and verifies access tokens an external identity
 * provider signed with RS256 or ES256 ({@link Policy#jwks()}). The first configured key signs and names itself in
 * the {@code kid} header; any configured key verifies the tokens that name it, so keys rotate
 * by adding the new key first and dropping the old one once its tokens have expired. Every
 * token carries {@code typ} ({@link TokenType}), checked on verification.
 *
 * <p>Every token must also name this service's issuer ({@code iss}) and audience ({@code aud}),
 * carry {@code iat} and {@code exp}, and live no longer than the {@link Policy#maxLifetime()}
 * from {@code iat} to {@code exp}: a token minted by an identity provider with a ten-year
 * {@code exp} is refused, so a leaked token is worth hours, not years.
 */
public final class TokenService {

    private static final Logger log = LoggerFactory.getLogger(TokenService.class);

    /** How far a token's {@code iat} may lie in the future (clock skew between issuer and us). */
    static final Duration ISSUED_AT_LEEWAY = Duration.ofSeconds(60);
    private static final String TYP = "typ";
    private static final String NAME = "name";
    private static final String MEETING = "mid";
    private static final String USER = "uid";
    private static final String SFU = "sfu";
    /** The host grant (ADR 0016): {@code true} makes the holder a host of the meetings the token allows. */
    private static final String HOST = "host";
    private static final String SESSION = "sid";

    /**
     * What every token must say and how long it may live.
     *
     * @param issuer      the {@code iss} tokens carry and must carry
     * @param audience    the {@code aud} tokens carry and must contain
     * @param maxLifetime the longest span from {@code iat} to {@code exp} accepted
     * @param jwks public keys of an external identity provider whose RS256/ES256 access tokens are
     *     accepted beside our HS256 ones (never join or resume tokens, which only we mint); null for none
     */
    public record Policy(String issuer, String audience, Duration maxLifetime, JwksKeys jwks) {
        public static final String DEFAULT_ISSUER = "convene";
        public static final String DEFAULT_AUDIENCE = "convene";
        public static final Duration DEFAULT_MAX_LIFETIME = Duration.ofHours(24);
        public static final Policy DEFAULT = new Policy(DEFAULT_ISSUER, DEFAULT_AUDIENCE, DEFAULT_MAX_LIFETIME);

        public Policy {
            Objects.requireNonNull(issuer, "issuer");
            Objects.requireNonNull(audience, "audience");
            Objects.requireNonNull(maxLifetime, "maxLifetime");
            if (issuer.isBlank() || audience.isBlank()) {
                throw new IllegalArgumentException("JWT issuer and audience must not be blank");
            }
            if (maxLifetime.isNegative() || maxLifetime.toSeconds() < 1) {
                throw new IllegalArgumentException("maximum token lifetime must be at least a second");
            }
        }

        public Policy(String issuer, String audience, Duration maxLifetime) {
            this(issuer, audience, maxLifetime, null);
        }

        public Policy withJwks(JwksKeys keys) {
            return new Policy(issuer, audience, maxLifetime, keys);
        }
    }

    private final Clock clock;
    private final Policy policy;
    private final String signingKid;
    private final Algorithm signer;
    private final Map<String, Algorithm> verifiers = new LinkedHashMap<>();

    public TokenService(List<JwtKey> keys, Clock clock) {
        this(keys, clock, Policy.DEFAULT);
    }

    public TokenService(List<JwtKey> keys, Clock clock, Policy policy) {
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("no JWT keys");
        }
        this.clock = clock;
        this.policy = Objects.requireNonNull(policy, "policy");
        for (JwtKey key : keys) {
            verifiers.put(key.kid(), Algorithm.HMAC256(key.secret().getBytes(StandardCharsets.UTF_8)));
        }
        this.signingKid = keys.getFirst().kid();
        this.signer = verifiers.get(signingKid);
    }

    /** An issued token and the instant it expires (whole seconds, as in the token). */
    public record Issued(String token, Instant expiresAt) {}

    public Issued issueAccess(String userId, String displayName, Duration ttl) {
        return issueAccess(userId, displayName, ttl, null);
    }

    /** An access token good only for {@code meetingId} (any meeting when null). */
    public Issued issueAccess(String userId, String displayName, Duration ttl, UUID meetingId) {
        return issueAccess(userId, displayName, ttl, meetingId, false);
    }

    /** An access token, with the {@code host} grant when {@code hostGrant}. */
    public Issued issueAccess(String userId, String displayName, Duration ttl, UUID meetingId, boolean hostGrant) {
        Instant now = now();
        Instant exp = now.plus(ttl);
        JWTCreator.Builder b = header()
                .withClaim(TYP, TokenType.ACCESS.claim())
                .withSubject(userId)
                .withClaim(NAME, displayName)
                .withIssuedAt(now)
                .withExpiresAt(exp);
        if (meetingId != null) {
            b.withClaim(MEETING, meetingId.toString());
        }
        if (hostGrant) {
            b.withClaim(HOST, true);
        }
        return new Issued(b.sign(signer), exp);
    }

    private JWTCreator.Builder header() {
        return JWT.create().withKeyId(signingKid).withIssuer(policy.issuer()).withAudience(policy.audience());
    }

    public Issued issueJoin(UUID meetingId, String participantId, String userId, String displayName, String sfuNodeId,
            Duration ttl) {
        return issueJoin(meetingId, participantId, userId, displayName, sfuNodeId, ttl, false);
    }

    /** A join token that carries the access token's {@code host} grant when {@code hostGrant}. */
    public Issued issueJoin(UUID meetingId, String participantId, String userId, String displayName, String sfuNodeId,
            Duration ttl, boolean hostGrant) {
        Instant now = now();
        Instant exp = now.plus(ttl);
        JWTCreator.Builder b = header()
                .withClaim(TYP, TokenType.JOIN.claim())
                .withSubject(participantId)
                .withClaim(MEETING, meetingId.toString())
                .withClaim(USER, userId)
                .withClaim(NAME, displayName)
                .withClaim(SFU, sfuNodeId)
                .withIssuedAt(now)
                .withExpiresAt(exp);
        if (hostGrant) {
            b.withClaim(HOST, true);
        }
        return new Issued(b.sign(signer), exp);
    }

    /**
     * A resume token: lets whoever holds it take the participant's place again, with its media
     * session on its SFU, within the resume grace (docs/signaling.md, "Resume").
     */
    public Issued issueResume(ResumeClaims claims, Duration ttl) {
        Instant now = now();
        Instant exp = now.plus(ttl);
        String token = header()
                .withClaim(TYP, TokenType.RESUME.claim())
                .withSubject(claims.participantId())
                .withClaim(MEETING, claims.meetingId().toString())
                .withClaim(USER, claims.userId())
                .withClaim(NAME, claims.displayName())
                .withClaim(SFU, claims.sfuNodeId())
                .withClaim(SESSION, claims.sessionId())
                .withIssuedAt(now)
                .withExpiresAt(exp)
                .sign(signer);
        return new Issued(token, exp);
    }

    public AccessClaims verifyAccess(String token) throws InvalidTokenException {
        DecodedJWT jwt = verify(token, TokenType.ACCESS);
        String name = jwt.getClaim(NAME).asString();
        String meeting = jwt.getClaim(MEETING).asString();
        if (jwt.getSubject() == null || name == null) {
            throw new InvalidTokenException(Reason.MISSING_CLAIM);
        }
        UUID meetingId;
        try {
            meetingId = meeting == null ? null : UUID.fromString(meeting);
        } catch (IllegalArgumentException e) {
            throw new InvalidTokenException(Reason.MALFORMED, e);
        }
        return new AccessClaims(jwt.getSubject(), name, jwt.getExpiresAtAsInstant(), meetingId, hostGrant(jwt));
    }

    public JoinClaims verifyJoin(String token) throws InvalidTokenException {
        DecodedJWT jwt = verify(token, TokenType.JOIN);
        String meeting = jwt.getClaim(MEETING).asString();
        String user = jwt.getClaim(USER).asString();
        String name = jwt.getClaim(NAME).asString();
        String sfu = jwt.getClaim(SFU).asString();
        if (jwt.getSubject() == null || meeting == null || user == null || name == null || sfu == null) {
            throw new InvalidTokenException(Reason.MISSING_CLAIM);
        }
        try {
            return new JoinClaims(UUID.fromString(meeting), jwt.getSubject(), user, name, sfu, jwt.getExpiresAtAsInstant(),
                    hostGrant(jwt));
        } catch (IllegalArgumentException e) {
            throw new InvalidTokenException(Reason.MALFORMED, e);
        }
    }

    /** Only a JSON {@code true} grants; any other value (a string "true", a number) does not. */
    private static boolean hostGrant(DecodedJWT jwt) {
        Boolean host = jwt.getClaim(HOST).asBoolean();
        return Boolean.TRUE.equals(host);
    }

    public ResumeClaims verifyResume(String token) throws InvalidTokenException {
        DecodedJWT jwt = verify(token, TokenType.RESUME);
        String meeting = jwt.getClaim(MEETING).asString();
        String user = jwt.getClaim(USER).asString();
        String name = jwt.getClaim(NAME).asString();
        String sfu = jwt.getClaim(SFU).asString();
        String session = jwt.getClaim(SESSION).asString();
        if (jwt.getSubject() == null || meeting == null || user == null || name == null || sfu == null || session == null) {
            throw new InvalidTokenException(Reason.MISSING_CLAIM);
        }
        try {
            return new ResumeClaims(UUID.fromString(meeting), jwt.getSubject(), user, name, sfu, session);
        } catch (IllegalArgumentException e) {
            throw new InvalidTokenException(Reason.MALFORMED, e);
        }
    }

    private DecodedJWT verify(String token, TokenType type) throws InvalidTokenException {
        if (token == null || token.isBlank()) {
            throw new InvalidTokenException(Reason.MISSING);
        }
        DecodedJWT unverified;
        try {
            unverified = JWT.decode(token);
        } catch (JWTDecodeException e) {
            throw new InvalidTokenException(Reason.MALFORMED, e);
        }
        String kid = unverified.getKeyId();
        Algorithm algorithm = kid == null ? null : verifiers.get(kid);
        if (algorithm == null && kid != null && type == TokenType.ACCESS && policy.jwks() != null) {
            // Our own keys' ids come first: a provider's key can never stand in for one of ours.
            algorithm = policy.jwks().algorithm(kid);
        }
        if (algorithm == null) {
            throw new InvalidTokenException(Reason.UNKNOWN_KEY);
        }
        JWTVerifier verifier = ((JWTVerifier.BaseVerification) JWT.require(algorithm)
                .withIssuer(policy.issuer())
                .withAudience(policy.audience())
                .withClaim(TYP, type.claim())
                .withClaimPresence("exp")
                .withClaimPresence("iat")
                .acceptIssuedAt(ISSUED_AT_LEEWAY.toSeconds()))
                .build(clock);
        DecodedJWT jwt;
        try {
            jwt = verifier.verify(unverified);
        } catch (JWTVerificationException e) {
            Reason reason = reasonOf(e);
            log.debug("event=token_refused reason={} library_error=\"{}\"", reason.wire(), e.getMessage());
            throw new InvalidTokenException(reason, e);
        }
        // Lifetime is what the issuer granted (iat to exp), not what is left: a token that
        // claims to live for years is refused even on its first day.
        Duration lifetime = Duration.between(jwt.getIssuedAtAsInstant(), jwt.getExpiresAtAsInstant());
        if (lifetime.compareTo(policy.maxLifetime()) > 0) {
            throw new InvalidTokenException(Reason.LIFETIME_TOO_LONG);
        }
        return jwt;
    }

    private static Reason reasonOf(JWTVerificationException e) {
        return switch (e) {
            case TokenExpiredException x -> Reason.EXPIRED;
            case SignatureVerificationException x -> Reason.BAD_SIGNATURE;
            case AlgorithmMismatchException x -> Reason.BAD_SIGNATURE;
            case MissingClaimException x -> Reason.MISSING_CLAIM;
            case IncorrectClaimException x -> switch (x.getClaimName()) {
                case "iss" -> Reason.WRONG_ISSUER;
                case "aud" -> Reason.WRONG_AUDIENCE;
                case TYP -> Reason.WRONG_KIND;
                case "iat", "nbf" -> Reason.NOT_YET_VALID;
                case "exp" -> Reason.EXPIRED;
                default -> Reason.MALFORMED;
            };
            default -> Reason.MALFORMED;
        };
    }

    public Policy policy() {
        return policy;
    }

    /** JWT times are whole seconds; issuing at a whole second keeps {@code expires_in} exact. */
    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.SECONDS);
    }
}
