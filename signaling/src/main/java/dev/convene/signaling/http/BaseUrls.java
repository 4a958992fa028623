package dev.convene.signaling.http;

import dev.convene.signaling.SignalingConfig;
import io.javalin.http.Context;
import java.util.regex.Pattern;

/**
 * The URL clients reach this server at: the configured public base URL, else the request's own
 * scheme and {@code Host}. The scheme is the one {@link TrustedProxies} settled on: a trusted
 * proxy's {@code X-Forwarded-Proto}, else whether this hop used TLS; nobody else's header counts.
 */
final class BaseUrls {

    /** Host names, IPv4, bracketed IPv6, with an optional port: nothing that could smuggle a path into a URL. */
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.\\-]+(:\\d{1,5})?|\\[[0-9A-Fa-f:.]+\\](:\\d{1,5})?");

    private BaseUrls() {}

    static String httpBase(SignalingConfig config, Context ctx) {
        if (config.publicBase().isPresent()) {
            return config.publicBase().get();
        }
        String scheme = "https".equalsIgnoreCase(ctx.scheme()) ? "https" : "http";
        String host = ctx.header("Host");
        if (host == null || !HOST.matcher(host).matches()) {
            host = ctx.req().getLocalName() + ":" + ctx.req().getLocalPort();
        }
        return scheme + "://" + host;
    }

    static String websocketBase(SignalingConfig config, Context ctx) {
        String http = httpBase(config, ctx);
        return http.startsWith("https://") ? "wss://" + http.substring(8) : "ws://" + http.substring(7);
    }
}
