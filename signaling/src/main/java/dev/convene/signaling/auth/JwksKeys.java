package dev.convene.signaling.auth;

import com.auth0.jwt.algorithms.Algorithm;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Public keys of an external identity provider, from a JWKS document (RFC 7517) in a file or at a
 * URL: RSA keys verify RS256 tokens, P-256 keys ES256 tokens, each selected by its {@code kid}. The
 * algorithm comes from the key, never from the token's header, so an HS256 token signed with a
 * public key as the secret does not verify.
 *
 * <p>The document is read at start; a token naming a {@code kid} we do not know makes us read it
 * again (the provider rotated its keys), at most once per {@link #MIN_REFRESH_INTERVAL}, so tokens
 * with invented key ids cannot make us fetch on every request.
 */
public final class JwksKeys {

    private static final Logger log = LoggerFactory.getLogger(JwksKeys.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final Duration MIN_REFRESH_INTERVAL = Duration.ofSeconds(60);
    private static final Duration FETCH_TIMEOUT = Duration.ofSeconds(5);
    private static final int MAX_DOCUMENT_BYTES = 256 * 1024;

    private final URI source;
    private final Clock clock;
    private final HttpClient http;
    private volatile Map<String, Algorithm> keys;
    private Instant lastRead;

    private JwksKeys(URI source, Clock clock, HttpClient http) {
        this.source = source;
        this.clock = clock;
        this.http = http;
    }

    /**
     * Reads the document now; a source that cannot be read or holds no usable key fails here, at
     * start.
     *
     * @param source {@code file:/etc/convene/jwks.json}, {@code https://idp.example.org/.well-known/jwks.json}
     */
    public static JwksKeys load(URI source, Clock clock) {
        Objects.requireNonNull(source, "source");
        String scheme = source.getScheme() == null ? "" : source.getScheme();
        if (!scheme.equals("file") && !scheme.equals("https") && !scheme.equals("http")) {
            throw new IllegalArgumentException("a JWKS source is a file: or https: URL, not " + source);
        }
        HttpClient http = scheme.equals("file") ? null : HttpClient.newBuilder().connectTimeout(FETCH_TIMEOUT).build();
        JwksKeys jwks = new JwksKeys(source, clock, http);
        Map<String, Algorithm> first;
        try {
            first = parse(jwks.read());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the JWKS at " + source + ": " + e.getMessage(), e);
        }
        if (first.isEmpty()) {
            throw new IllegalArgumentException("no RSA or P-256 key in the JWKS at " + source);
        }
        jwks.keys = first;
        jwks.lastRead = clock.instant();
        log.info("event=jwks_loaded source={} kids={}", source, first.keySet());
        return jwks;
    }

    /** The verifier for {@code kid}, reading the document again if it is unknown and the last read is old enough. */
    Algorithm algorithm(String kid) {
        Algorithm a = keys.get(kid);
        if (a != null) {
            return a;
        }
        synchronized (this) {
            a = keys.get(kid);
            Instant now = clock.instant();
            if (a != null || now.isBefore(lastRead.plus(MIN_REFRESH_INTERVAL))) {
                return a;
            }
            lastRead = now;
            try {
                Map<String, Algorithm> fresh = parse(read());
                if (!fresh.isEmpty()) {
                    keys = fresh;
                    log.info("event=jwks_refreshed source={} kids={}", source, fresh.keySet());
                }
            } catch (IOException | RuntimeException e) {
                log.warn("event=jwks_refresh_failed source={} error=\"{}\"", source, e.getMessage());
            }
            return keys.get(kid);
        }
    }

    /** The key ids known now. */
    public java.util.Set<String> kids() {
        return keys.keySet();
    }

    private String read() throws IOException {
        if (http == null) {
            Path path = Path.of(source);
            if (Files.size(path) > MAX_DOCUMENT_BYTES) {
                throw new IOException("larger than " + MAX_DOCUMENT_BYTES + " bytes");
            }
            return Files.readString(path);
        }
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(source).timeout(FETCH_TIMEOUT).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IOException("HTTP " + r.statusCode());
            }
            if (r.body().length() > MAX_DOCUMENT_BYTES) {
                throw new IOException("larger than " + MAX_DOCUMENT_BYTES + " bytes");
            }
            return r.body();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** The usable keys of a JWKS document: RSA (RS256) and EC P-256 (ES256) signing keys with a {@code kid}. */
    static Map<String, Algorithm> parse(String document) throws IOException {
        JsonNode root = JSON.readTree(document);
        Map<String, Algorithm> out = new LinkedHashMap<>();
        for (JsonNode k : root.path("keys")) {
            String kid = k.path("kid").asText(null);
            String kty = k.path("kty").asText("");
            String alg = k.path("alg").asText(null);
            String use = k.path("use").asText("sig");
            if (kid == null || kid.isBlank() || !use.equals("sig")) {
                continue;
            }
            try {
                if (kty.equals("RSA") && (alg == null || alg.equals("RS256"))) {
                    RSAPublicKey key = (RSAPublicKey) KeyFactory.getInstance("RSA").generatePublic(
                            new RSAPublicKeySpec(unsigned(k, "n"), unsigned(k, "e")));
                    if (key.getModulus().bitLength() < 2048) {
                        log.warn("event=jwks_key_skipped kid={} reason=\"RSA key shorter than 2048 bits\"", kid);
                        continue;
                    }
                    out.put(kid, Algorithm.RSA256(key, null));
                } else if (kty.equals("EC") && k.path("crv").asText("").equals("P-256") && (alg == null || alg.equals("ES256"))) {
                    AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
                    parameters.init(new ECGenParameterSpec("secp256r1"));
                    ECPublicKey key = (ECPublicKey) KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(
                            new ECPoint(unsigned(k, "x"), unsigned(k, "y")), parameters.getParameterSpec(ECParameterSpec.class)));
                    out.put(kid, Algorithm.ECDSA256(key, null));
                } else {
                    log.warn("event=jwks_key_skipped kid={} kty={} alg={} reason=\"only RS256 and ES256 (P-256) keys are used\"",
                            kid, kty, alg);
                }
            } catch (GeneralSecurityException | IllegalArgumentException e) {
                log.warn("event=jwks_key_skipped kid={} reason=\"{}\"", kid, e.getMessage());
            }
        }
        return out;
    }

    private static BigInteger unsigned(JsonNode key, String field) {
        String value = key.path(field).asText(null);
        if (value == null) {
            throw new IllegalArgumentException("missing " + field);
        }
        return new BigInteger(1, Base64.getUrlDecoder().decode(value));
    }

    @Override
    public String toString() {
        return "JwksKeys[" + source + "]";
    }
}
