package dev.convene.signaling.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.sun.net.httpserver.HttpServer;
import dev.convene.signaling.SignalingConfig.JwtKey;
import dev.convene.signaling.testing.MutableClock;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** RS256 and ES256 access tokens of an external identity provider, verified against its JWKS (file or URL). */
class JwksTokenTest {

    private static final JwtKey OURS = new JwtKey("ours", "our-own-secret-0123456789-abcdefghijklmn");

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-03T12:00:00Z"));

    private static KeyPair rsa() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        return g.generateKeyPair();
    }

    private static KeyPair ec() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    private static String b64(BigInteger n, int length) {
        byte[] raw = n.toByteArray();
        if (length > 0) {
            byte[] fixed = new byte[length];
            int from = Math.max(0, raw.length - length);
            System.arraycopy(raw, from, fixed, length - (raw.length - from), raw.length - from);
            raw = fixed;
        } else if (raw[0] == 0) {
            raw = java.util.Arrays.copyOfRange(raw, 1, raw.length);
        }
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    }

    private static String jwks(String rsaKid, KeyPair rsa, String ecKid, KeyPair ec) {
        RSAPublicKey r = (RSAPublicKey) rsa.getPublic();
        ECPublicKey e = (ECPublicKey) ec.getPublic();
        return "{\"keys\":[{\"kty\":\"RSA\",\"use\":\"sig\",\"alg\":\"RS256\",\"kid\":\"" + rsaKid + "\",\"n\":\""
                + b64(r.getModulus(), 0) + "\",\"e\":\"" + b64(r.getPublicExponent(), 0) + "\"},"
                + "{\"kty\":\"EC\",\"crv\":\"P-256\",\"kid\":\"" + ecKid + "\",\"x\":\"" + b64(e.getW().getAffineX(), 32)
                + "\",\"y\":\"" + b64(e.getW().getAffineY(), 32) + "\"},"
                + "{\"kty\":\"oct\",\"kid\":\"secret\",\"k\":\"c2VjcmV0\"}]}";
    }

    private String token(String kid, Algorithm algorithm, String typ, Duration life) {
        Instant now = clock.instant();
        return JWT.create().withKeyId(kid).withIssuer("convene").withAudience("convene").withClaim("typ", typ)
                .withSubject("idp|ada").withClaim("name", "Ada").withIssuedAt(now).withExpiresAt(now.plus(life))
                .sign(algorithm);
    }

    @Test
    void rs256AndEs256AccessTokensFromAJwksFileVerifyAndForgeriesDoNot() throws Exception {
        KeyPair rsa = rsa();
        KeyPair ec = ec();
        Path file = dir.resolve("jwks.json");
        Files.writeString(file, jwks("idp-rsa", rsa, "idp-ec", ec));
        JwksKeys keys = JwksKeys.load(file.toUri(), clock);
        assertThat(keys.kids()).containsExactly("idp-rsa", "idp-ec");
        TokenService tokens = new TokenService(List.of(OURS), clock, TokenService.Policy.DEFAULT.withJwks(keys));

        Algorithm rs = Algorithm.RSA256(null, (RSAPrivateKey) rsa.getPrivate());
        Algorithm es = Algorithm.ECDSA256(null, (ECPrivateKey) ec.getPrivate());
        assertThat(tokens.verifyAccess(token("idp-rsa", rs, "access", Duration.ofHours(1))).userId()).isEqualTo("idp|ada");
        assertThat(tokens.verifyAccess(token("idp-ec", es, "access", Duration.ofHours(1))).displayName()).isEqualTo("Ada");

        // An ES256 token naming the RSA key, and an HS256 token keyed with the public key's bytes.
        assertThatThrownBy(() -> tokens.verifyAccess(token("idp-rsa", es, "access", Duration.ofHours(1))))
                .isInstanceOf(InvalidTokenException.class);
        assertThatThrownBy(() -> tokens.verifyAccess(token("idp-rsa", Algorithm.HMAC256(rsa.getPublic().getEncoded()), "access",
                Duration.ofHours(1)))).isInstanceOf(InvalidTokenException.class);
        // Someone else's RSA key under the provider's kid.
        assertThatThrownBy(() -> tokens.verifyAccess(token("idp-rsa", Algorithm.RSA256(null, (RSAPrivateKey) rsa().getPrivate()),
                "access", Duration.ofHours(1)))).isInstanceOf(InvalidTokenException.class);
        // The provider's tokens follow our policy: lifetime, and only access tokens.
        assertThatThrownBy(() -> tokens.verifyAccess(token("idp-ec", es, "access", Duration.ofDays(30))))
                .isInstanceOf(InvalidTokenException.class).extracting("reason").isEqualTo(InvalidTokenException.Reason.LIFETIME_TOO_LONG);
        assertThatThrownBy(() -> tokens.verifyJoin(token("idp-ec", es, "join", Duration.ofMinutes(1))))
                .isInstanceOf(InvalidTokenException.class).extracting("reason").isEqualTo(InvalidTokenException.Reason.UNKNOWN_KEY);
        // The symmetric key in the document is never used.
        assertThatThrownBy(() -> tokens.verifyAccess(token("secret", Algorithm.HMAC256("secret"), "access", Duration.ofHours(1))))
                .isInstanceOf(InvalidTokenException.class).extracting("reason").isEqualTo(InvalidTokenException.Reason.UNKNOWN_KEY);
    }

    @Test
    void aRotatedKeyAtTheUrlIsFetchedOnItsFirstTokenButUnknownKidsFetchAtMostOncePerMinute() throws Exception {
        KeyPair rsa = rsa();
        KeyPair ec1 = ec();
        KeyPair ec2 = ec();
        AtomicReference<String> document = new AtomicReference<>(jwks("r", rsa, "ec-1", ec1));
        AtomicInteger fetches = new AtomicInteger();
        HttpServer idp = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        idp.createContext("/jwks.json", exchange -> {
            fetches.incrementAndGet();
            byte[] body = document.get().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        idp.start();
        try {
            JwksKeys keys = JwksKeys.load(URI.create("http://127.0.0.1:" + idp.getAddress().getPort() + "/jwks.json"), clock);
            TokenService tokens = new TokenService(List.of(OURS), clock, TokenService.Policy.DEFAULT.withJwks(keys));
            assertThat(fetches.get()).isEqualTo(1);

            for (int i = 0; i < 20; i++) {
                String invented = token("invented-" + i, Algorithm.ECDSA256(null, (ECPrivateKey) ec2.getPrivate()), "access",
                        Duration.ofHours(1));
                assertThatThrownBy(() -> tokens.verifyAccess(invented)).isInstanceOf(InvalidTokenException.class);
            }
            assertThat(fetches.get()).as("twenty unknown kids within a minute").isEqualTo(1);

            document.set(jwks("r", rsa, "ec-2", ec2));
            clock.advance(JwksKeys.MIN_REFRESH_INTERVAL);
            String rotated = token("ec-2", Algorithm.ECDSA256(null, (ECPrivateKey) ec2.getPrivate()), "access", Duration.ofHours(1));
            assertThat(tokens.verifyAccess(rotated).userId()).isEqualTo("idp|ada");
            assertThat(fetches.get()).isEqualTo(2);
            // Our own HS256 tokens keep working beside the provider's.
            assertThat(tokens.verifyAccess(tokens.issueAccess("US_1", "Grace", Duration.ofHours(1)).token()).userId()).isEqualTo("US_1");
        } finally {
            idp.stop(0);
        }
    }

    @Test
    void aSourceWithoutUsableKeysOrOfAnotherSchemeFailsAtStart() throws Exception {
        Path file = dir.resolve("empty.json");
        Files.writeString(file, "{\"keys\":[{\"kty\":\"oct\",\"kid\":\"s\",\"k\":\"c2VjcmV0\"}]}");
        assertThatThrownBy(() -> JwksKeys.load(file.toUri(), clock)).hasMessageContaining("no RSA or P-256 key");
        assertThatThrownBy(() -> JwksKeys.load(URI.create("ftp://idp/jwks"), clock)).hasMessageContaining("file: or https:");
        assertThatThrownBy(() -> JwksKeys.load(dir.resolve("missing.json").toUri(), clock)).hasMessageContaining("cannot read");
    }
}
