package dev.convene.signaling.http;

import dev.convene.signaling.SignalingConfig;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a browser is allowed to do with this server: which origins may open {@code /v1/signal}
 * and call the API (CORS), and the security headers of every answer, including a Content Security
 * Policy the web client satisfies (its scripts and styles are files of its own origin, it writes
 * styles through the CSSOM only, and it talks to its own origin over HTTP and WebSocket).
 *
 * <p>A request without {@code Origin} comes from a program, not a browser page, and is let
 * through: origins guard browsers' users against other sites, tokens guard the API.
 */
public final class WebGuards {

    private static final Logger log = LoggerFactory.getLogger(WebGuards.class);
    private static final Set<String> API_METHODS = Set.of("GET", "POST");
    /** One year: long enough to matter (and for preload lists), the usual value. */
    static final long HSTS_MAX_AGE_SECONDS = 31_536_000;

    private final SignalingConfig config;
    private final List<String> allowed;

    public WebGuards(SignalingConfig config) {
        this.config = config;
        this.allowed = config.hardening().allowedOrigins();
    }

    public void register(RoutesConfig routes) {
        routes.before(this::headers);
        routes.before("/v1/*", this::cors);
        routes.wsBeforeUpgrade("/v1/signal", ctx -> {
            String origin = ctx.header("Origin");
            if (origin != null && !allows(origin, ctx)) {
                refuse(ctx, origin);
            }
        });
    }

    /** Whether a page of {@code origin} may use this server. */
    boolean allows(String origin, Context ctx) {
        String normalized;
        try {
            normalized = SignalingConfig.Hardening.origin(origin);
        } catch (IllegalArgumentException e) {
            return false; // "null" (sandboxed frames, file:) and anything malformed
        }
        if (!allowed.isEmpty()) {
            return allowed.contains(normalized);
        }
        try {
            return normalized.equals(SignalingConfig.Hardening.origin(originOf(BaseUrls.httpBase(config, ctx))));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String originOf(String base) {
        int slash = base.indexOf('/', base.indexOf("://") + 3);
        return slash < 0 ? base : base.substring(0, slash);
    }

    private void cors(Context ctx) {
        String origin = ctx.header("Origin");
        if (origin == null) {
            return;
        }
        if (!allows(origin, ctx)) {
            refuse(ctx, origin);
        }
        ctx.header("Access-Control-Allow-Origin", origin);
        ctx.header("Vary", "Origin");
        if (ctx.method() == HandlerType.OPTIONS) {
            String wanted = ctx.header("Access-Control-Request-Method");
            if (wanted != null && API_METHODS.contains(wanted)) {
                ctx.header("Access-Control-Allow-Methods", "GET, POST");
                ctx.header("Access-Control-Allow-Headers", "Authorization, Content-Type, Convene-Meeting-Password");
                ctx.header("Access-Control-Max-Age", "600");
            }
            ctx.status(204);
            ctx.skipRemainingHandlers();
        }
    }

    private static void refuse(Context ctx, String origin) {
        String shown = origin.length() > 100 ? origin.substring(0, 100) + "…" : origin;
        log.info("event=origin_refused path={} origin=\"{}\"", ctx.path(), shown.replace("\"", "'"));
        throw ApiProblem.forbidden(ProblemCode.ORIGIN_NOT_ALLOWED, "Pages of this origin may not use this server");
    }

    private void headers(Context ctx) {
        if ("https".equalsIgnoreCase(ctx.scheme())) {
            // Only on answers that came over TLS (here or at a trusted proxy): browsers ignore it
            // over plain HTTP, and it must not pin a plain-HTTP development server to HTTPS.
            ctx.header("Strict-Transport-Security", "max-age=" + HSTS_MAX_AGE_SECONDS);
        }
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Referrer-Policy", "no-referrer");
        ctx.header("X-Frame-Options", "DENY");
        ctx.header("Cross-Origin-Opener-Policy", "same-origin");
        ctx.header("Content-Security-Policy", contentSecurityPolicy(ctx));
        ctx.header("Permissions-Policy", "camera=(self), microphone=(self), display-capture=(self), geolocation=()");
    }

    /**
     * Scripts, styles and images only from our own origin (no inline code, so an injected
     * {@code <script>} does nothing); connections to our own origin and its WebSocket URL; never
     * framed, so the meeting cannot be overlaid by another site.
     */
    private String contentSecurityPolicy(Context ctx) {
        String ws;
        try {
            ws = originOf(BaseUrls.websocketBase(config, ctx));
        } catch (RuntimeException e) {
            ws = "";
        }
        return "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
                + "media-src 'self' blob: mediastream:; connect-src 'self' " + ws + "; font-src 'self'; "
                + "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
    }
}
