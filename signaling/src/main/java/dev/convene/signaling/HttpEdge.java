package dev.convene.signaling;

import dev.convene.signaling.http.TrustedProxies;
import dev.convene.tls.ServerTls;
import java.util.Objects;

/**
 * How the HTTP port meets the network: with TLS of its own or not, and which reverse proxies
 * may tell it the client's address and scheme ({@code docs/security.md}, ADR 0015).
 *
 * @param tls the certificate served on the HTTP port (HTTPS and WSS); null serves plain HTTP
 * @param proxies peers whose {@code Forwarded}/{@code X-Forwarded-*} headers are believed
 */
public record HttpEdge(ServerTls tls, TrustedProxies proxies) {

    /** Plain HTTP, no proxy trusted: the all-in-one default on a laptop. */
    public static final HttpEdge PLAIN = new HttpEdge(null, TrustedProxies.NONE);

    public HttpEdge {
        Objects.requireNonNull(proxies, "proxies");
    }

    public boolean secure() {
        return tls != null;
    }

    public HttpEdge withTls(ServerTls newTls) {
        return new HttpEdge(newTls, proxies);
    }

    public HttpEdge withProxies(TrustedProxies newProxies) {
        return new HttpEdge(tls, newProxies);
    }
}
