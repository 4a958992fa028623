package dev.convene.signaling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.convene.signaling.http.TrustedProxies;
import dev.convene.signaling.placement.SingleSfuDirectory;
import dev.convene.signaling.testing.FakeSfuNode;
import dev.convene.signaling.testing.TestServer;
import dev.convene.store.RateLimiter.Limit;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code X-Forwarded-For}, {@code Forwarded} and {@code X-Forwarded-Proto} count only when the
 * peer is a trusted proxy: a client that writes them itself changes neither its rate-limit key
 * nor the scheme of its join link.
 */
class TrustedProxiesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static InetAddress ip(String literal) throws Exception {
        return InetAddress.getByName(literal);
    }

    // ---------------------------------------------------------------- the decision

    @Test
    void theClientIsTheFirstUntrustedHopFromTheRight() throws Exception {
        TrustedProxies proxies = TrustedProxies.parse(List.of("10.0.0.0/8", "192.168.1.7"));
        InetAddress proxy = ip("10.1.2.3");

        // The client wrote 198.51.100.66 itself; our proxy appended the address it saw.
        assertThat(proxies.resolve(proxy, false, List.of(), List.of("198.51.100.66, 203.0.113.9"), List.of()).client())
                .isEqualTo(ip("203.0.113.9"));
        // Two of our proxies in a row are skipped.
        assertThat(proxies.resolve(proxy, false, List.of(), List.of("203.0.113.9, 192.168.1.7", "10.9.9.9"), List.of()).client())
                .isEqualTo(ip("203.0.113.9"));
        // RFC 7239, with ports, quotes and IPv6; Forwarded wins over X-Forwarded-For.
        TrustedProxies.Origin o = proxies.resolve(proxy, false,
                List.of("for=\"[2001:db8::17]:4711\";proto=https, for=10.0.0.5"), List.of("198.51.100.1"), List.of());
        assertThat(o.client()).isEqualTo(ip("2001:db8::17"));
        assertThat(o.secure()).isTrue();
        // Garbage or "unknown" stops the walk at the last address we can vouch for.
        assertThat(proxies.resolve(proxy, false, List.of(), List.of("203.0.113.9, unknown"), List.of()).client()).isEqualTo(proxy);
        assertThat(proxies.resolve(proxy, false, List.of(), List.of("999.1.1.1"), List.of()).client()).isEqualTo(proxy);
        assertThat(proxies.resolve(proxy, false, List.of(), List.of("203.0.113.9:5555"), List.of()).client())
                .isEqualTo(ip("203.0.113.9"));
        // The proto our nearest proxy set is the last one.
        assertThat(proxies.resolve(proxy, false, List.of(), List.of(), List.of("https, http")).secure()).isFalse();
        assertThat(proxies.resolve(proxy, false, List.of(), List.of(), List.of("http, https")).secure()).isTrue();
    }

    @Test
    void anUntrustedPeerKeepsItsOwnAddressAndScheme() throws Exception {
        TrustedProxies proxies = TrustedProxies.parse(List.of("10.0.0.0/8"));
        TrustedProxies.Origin o = proxies.resolve(ip("203.0.113.50"), false, List.of("for=1.2.3.4;proto=https"),
                List.of("1.2.3.4"), List.of("https"));
        assertThat(o.client()).isEqualTo(ip("203.0.113.50"));
        assertThat(o.secure()).isFalse();
        assertThat(TrustedProxies.NONE.resolve(ip("10.0.0.1"), false, List.of(), List.of("1.2.3.4"), List.of("https")))
                .isEqualTo(new TrustedProxies.Origin(ip("10.0.0.1"), false));
    }

    @Test
    void networksParseAndMatch() throws Exception {
        TrustedProxies.Cidr v4 = TrustedProxies.Cidr.parse("172.16.0.0/12");
        assertThat(v4.contains(ip("172.31.255.1"))).isTrue();
        assertThat(v4.contains(ip("172.32.0.1"))).isFalse();
        assertThat(v4.contains(ip("::1"))).isFalse();
        assertThat(TrustedProxies.Cidr.parse("fd00::/8").contains(ip("fd12::1"))).isTrue();
        assertThat(TrustedProxies.Cidr.parse("127.0.0.1").contains(ip("127.0.0.2"))).isFalse();
        for (String bad : List.of("10.0.0.0/33", "proxy.example.org", "10.0.0/8", "fd00::/129", "")) {
            assertThatThrownBy(() -> TrustedProxies.Cidr.parse(bad)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    // ---------------------------------------------------------------- over HTTP

    private record Node(SignalingServer server, String base) implements AutoCloseable {
        @Override
        public void close() {
            server.close();
        }
    }

    private static Node start(String trusted) {
        Clock clock = Clock.systemUTC();
        SignalingConfig config = SignalingConfig.defaults(List.of(TestServer.KEY_1)).withBind("127.0.0.1", 0)
                .withHardening(SignalingConfig.Hardening.DEFAULTS.withGuestPerAddress(Limit.of(2, Duration.ofMinutes(1))));
        SignalingServer server = SignalingServer.start(config,
                HttpEdge.PLAIN.withProxies(TrustedProxies.parse(List.of(trusted))), SignalingStores.inMemory(clock),
                new SingleSfuDirectory(new FakeSfuNode(), "local"), clock, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        return new Node(server, "http://127.0.0.1:" + server.port());
    }

    private static HttpResponse<String> guest(String base, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/v1/auth/guest"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"display_name\":\"P\"}"));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> join(String base, String token, String... headers) throws Exception {
        HttpResponse<String> created = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/v1/meetings"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        String meeting = JSON.readTree(created.body()).path("meeting_id").asText();
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/v1/meetings/" + meeting + "/join"))
                .header("Authorization", "Bearer " + token);
        if (headers.length > 0) {
            b.headers(headers);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void spoofedHeadersFromAnUntrustedPeerNeitherDodgeTheLimitNorChangeTheScheme() throws Exception {
        try (Node node = start("10.0.0.0/8")) {
            List<Integer> statuses = new ArrayList<>();
            statuses.add(guest(node.base(), "X-Forwarded-For", "198.51.100.1").statusCode());
            statuses.add(guest(node.base(), "Forwarded", "for=198.51.100.2").statusCode());
            // A fresh address every time would mint without end if the header were believed.
            statuses.add(guest(node.base(), "X-Forwarded-For", "198.51.100.3").statusCode());
            statuses.add(guest(node.base(), "X-Forwarded-For", "198.51.100.4", "Forwarded", "for=198.51.100.5").statusCode());
            assertThat(statuses).containsExactly(200, 200, 429, 429);

            String token = JSON.readTree(guestThroughOtherNode()).path("access_token").asText();
            HttpResponse<String> joined = join(node.base(), token, "X-Forwarded-Proto", "https");
            JsonNode answer = JSON.readTree(joined.body());
            assertThat(answer.path("signaling_url").asText()).startsWith("ws://127.0.0.1:");
            assertThat(joined.headers().firstValue("Strict-Transport-Security")).isEmpty();
        }
    }

    @Test
    void behindATrustedProxyEachClientAddressHasItsOwnLimitAndTheProxysSchemeCounts() throws Exception {
        try (Node node = start("127.0.0.0/8")) {
            assertThat(guest(node.base(), "X-Forwarded-For", "203.0.113.5").statusCode()).isEqualTo(200);
            // The client prepended a fresh address of its own; the proxy appended the real one.
            assertThat(guest(node.base(), "X-Forwarded-For", "198.51.100.99, 203.0.113.5").statusCode()).isEqualTo(200);
            assertThat(guest(node.base(), "X-Forwarded-For", "198.51.100.98, 203.0.113.5").statusCode()).isEqualTo(429);
            // Another client behind the same proxy is not held back by the first.
            HttpResponse<String> other = guest(node.base(), "Forwarded", "for=203.0.113.6;proto=https");
            assertThat(other.statusCode()).isEqualTo(200);
            assertThat(other.headers().firstValue("Strict-Transport-Security")).hasValue("max-age=31536000");

            String token = JSON.readTree(other.body()).path("access_token").asText();
            HttpResponse<String> joined = join(node.base(), token, "X-Forwarded-For", "203.0.113.6",
                    "X-Forwarded-Proto", "https");
            assertThat(JSON.readTree(joined.body()).path("signaling_url").asText()).startsWith("wss://127.0.0.1:");
        }
    }

    /** A token signed with the same key by another node: the node under test already refuses this address guests. */
    private static String guestThroughOtherNode() throws Exception {
        try (TestServer other = new TestServer()) {
            return other.request("POST", "/v1/auth/guest", null, "{\"display_name\":\"Q\"}").raw().body();
        }
    }
}
