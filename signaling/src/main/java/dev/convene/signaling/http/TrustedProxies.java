package dev.convene.signaling.http;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.server.ConnectionMetaData;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Request;

/**
 * The client's real address and scheme behind reverse proxies we trust, and only behind them.
 *
 * <p>When the TCP peer is in one of the configured networks, {@code Forwarded} (RFC 7239) or else
 * {@code X-Forwarded-For} is read from the right: each hop that is itself a trusted proxy is
 * skipped, and the first one that is not is the client. Reading from the left would take whatever
 * the client wrote into the header before the proxy appended to it. {@code X-Forwarded-Proto} (or
 * {@code proto=}) is taken from the last value, the one our nearest proxy set. A request whose peer
 * is not trusted keeps its peer address and scheme, whatever headers it carries.
 *
 * <p>It is a Jetty request customizer, so every consumer of the address — rate limits, seat
 * holders, logs, the scheme in join links and the Origin check — sees the same answer.
 */
public final class TrustedProxies implements HttpConfiguration.Customizer {

    /** No proxy is trusted: forwarding headers are never read. */
    public static final TrustedProxies NONE = new TrustedProxies(List.of());

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*");

    /** A network, {@code 10.0.0.0/8} or {@code fd00::/8}; a bare address is a /32 or /128. */
    public record Cidr(byte[] network, int prefix) {
        public Cidr {
            network = network.clone();
            if (prefix < 0 || prefix > network.length * 8) {
                throw new IllegalArgumentException("prefix out of range: " + prefix);
            }
        }

        @Override
        public byte[] network() {
            return network.clone();
        }

        public static Cidr parse(String text) {
            String s = text.strip();
            int slash = s.indexOf('/');
            String address = slash < 0 ? s : s.substring(0, slash);
            byte[] bytes = literal(address);
            if (bytes == null) {
                throw new IllegalArgumentException("not an IP network (a.b.c.d/n or v6::/n): " + text);
            }
            int prefix;
            try {
                prefix = slash < 0 ? bytes.length * 8 : Integer.parseInt(s.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not an IP network (a.b.c.d/n or v6::/n): " + text);
            }
            if (prefix < 0 || prefix > bytes.length * 8) {
                throw new IllegalArgumentException("prefix out of range in " + text);
            }
            return new Cidr(bytes, prefix);
        }

        public boolean contains(InetAddress address) {
            byte[] a = address.getAddress();
            if (a.length != network.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (a[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = 0xff << (8 - rest) & 0xff;
            return (a[full] & mask) == (network[full] & mask);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Cidr c && prefix == c.prefix && java.util.Arrays.equals(network, c.network);
        }

        @Override
        public int hashCode() {
            return java.util.Arrays.hashCode(network) * 31 + prefix;
        }

        @Override
        public String toString() {
            try {
                return InetAddress.getByAddress(network).getHostAddress() + "/" + prefix;
            } catch (UnknownHostException e) {
                return "?/" + prefix;
            }
        }
    }

    private final List<Cidr> networks;

    public TrustedProxies(List<Cidr> networks) {
        this.networks = List.copyOf(Objects.requireNonNull(networks, "networks"));
    }

    /** {@code "10.0.0.0/8, 192.168.1.7"}: comma-separated networks or addresses. */
    public static TrustedProxies parse(List<String> entries) {
        List<Cidr> networks = new ArrayList<>();
        for (String entry : entries) {
            for (String part : entry.split(",")) {
                if (!part.isBlank()) {
                    networks.add(Cidr.parse(part));
                }
            }
        }
        return new TrustedProxies(networks);
    }

    public List<Cidr> networks() {
        return networks;
    }

    public boolean trusts(InetAddress address) {
        for (Cidr n : networks) {
            if (n.contains(address)) {
                return true;
            }
        }
        return false;
    }

    /** Where a request really came from: the client's address and whether it used TLS up to the first proxy. */
    public record Origin(InetAddress client, boolean secure) {}

    /**
     * Decides the client from the peer and the headers (a pure function, tested without sockets).
     *
     * @param forwarded the {@code Forwarded} header values, in order
     * @param forwardedFor the {@code X-Forwarded-For} values, in order (used when there is no {@code Forwarded})
     * @param forwardedProto the {@code X-Forwarded-Proto} values, in order
     */
    public Origin resolve(InetAddress peer, boolean peerSecure, List<String> forwarded, List<String> forwardedFor,
            List<String> forwardedProto) {
        if (networks.isEmpty() || !trusts(peer)) {
            return new Origin(peer, peerSecure);
        }
        List<String> hops = new ArrayList<>();
        String proto = null;
        if (!forwarded.isEmpty()) {
            for (String value : forwarded) {
                for (String element : value.split(",")) {
                    String forPart = null;
                    for (String pair : element.split(";")) {
                        int eq = pair.indexOf('=');
                        if (eq < 0) {
                            continue;
                        }
                        String name = pair.substring(0, eq).strip().toLowerCase(Locale.ROOT);
                        String v = unquote(pair.substring(eq + 1).strip());
                        if (name.equals("for")) {
                            forPart = v;
                        } else if (name.equals("proto")) {
                            proto = v;
                        }
                    }
                    hops.add(forPart == null ? "" : forPart);
                }
            }
        } else {
            for (String value : forwardedFor) {
                for (String part : value.split(",")) {
                    hops.add(part.strip());
                }
            }
        }
        for (String value : forwardedProto) {
            String[] parts = value.split(",");
            proto = parts[parts.length - 1].strip();
        }
        InetAddress client = peer;
        for (int i = hops.size() - 1; i >= 0; i--) {
            InetAddress hop = address(hops.get(i));
            if (hop == null) {
                break; // "unknown", an obfuscated name or garbage: the last proxy we trust is as far as we know
            }
            client = hop;
            if (!trusts(hop)) {
                break;
            }
        }
        boolean secure = proto == null ? peerSecure : proto.equalsIgnoreCase("https") || proto.equalsIgnoreCase("wss");
        return new Origin(client, secure);
    }

    private static String unquote(String v) {
        return v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"") ? v.substring(1, v.length() - 1) : v;
    }

    /** An IP literal from a header: {@code 192.0.2.1}, {@code 192.0.2.1:4711}, {@code [2001:db8::1]:4711}, {@code 2001:db8::1}. */
    static InetAddress address(String hop) {
        String s = hop.strip();
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0) {
                return null;
            }
            s = s.substring(1, close);
        } else if (s.indexOf(':') == s.lastIndexOf(':') && s.indexOf(':') > 0) {
            s = s.substring(0, s.indexOf(':')); // IPv4 with a port
        }
        byte[] bytes = literal(s);
        try {
            return bytes == null ? null : InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** The bytes of an IPv4 or IPv6 literal, or null: never a DNS lookup. */
    private static byte[] literal(String s) {
        if (IPV4.matcher(s).matches()) {
            String[] octets = s.split("\\.");
            byte[] bytes = new byte[4];
            for (int i = 0; i < 4; i++) {
                int octet = Integer.parseInt(octets[i]);
                if (octet > 255) {
                    return null;
                }
                bytes[i] = (byte) octet;
            }
            return bytes;
        }
        // A colon makes the JDK parse an IPv6 literal and never ask DNS.
        if (!IPV6.matcher(s).matches() || s.length() > 45 || s.indexOf(':') < 0) {
            return null;
        }
        try {
            return InetAddress.getByName(s).getAddress();
        } catch (UnknownHostException | SecurityException e) {
            return null;
        }
    }

    @Override
    public Request customize(Request request, HttpFields.Mutable responseHeaders) {
        if (networks.isEmpty()) {
            return request;
        }
        SocketAddress remote = request.getConnectionMetaData().getRemoteSocketAddress();
        if (!(remote instanceof InetSocketAddress peer) || peer.getAddress() == null || !trusts(peer.getAddress())) {
            return request;
        }
        HttpFields headers = request.getHeaders();
        Origin origin = resolve(peer.getAddress(), request.isSecure(), headers.getValuesList("Forwarded"),
                headers.getValuesList("X-Forwarded-For"), headers.getValuesList("X-Forwarded-Proto"));
        if (origin.client().equals(peer.getAddress()) && origin.secure() == request.isSecure()) {
            return request;
        }
        InetSocketAddress client = new InetSocketAddress(origin.client(), 0);
        boolean secure = origin.secure();
        ConnectionMetaData meta = new ConnectionMetaData.Wrapper(request.getConnectionMetaData()) {
            @Override
            public SocketAddress getRemoteSocketAddress() {
                return client;
            }

            @Override
            public boolean isSecure() {
                return secure;
            }
        };
        HttpURI uri = secure == request.isSecure() ? request.getHttpURI()
                : HttpURI.build(request.getHttpURI()).scheme(secure ? "https" : "http").asImmutable();
        return new Request.Wrapper(request) {
            @Override
            public ConnectionMetaData getConnectionMetaData() {
                return meta;
            }

            @Override
            public HttpURI getHttpURI() {
                return uri;
            }

            @Override
            public boolean isSecure() {
                return secure;
            }
        };
    }

    @Override
    public String toString() {
        return networks.isEmpty() ? "none" : networks.toString();
    }
}
