package dev.convene.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The web client's own files come with the security headers and the CSP it runs under. */
class WebClientHeadersTest {

    @Test
    void pagesScriptsAndStylesCarryTheSecurityHeaders() throws Exception {
        try (AllInOneServer server = AllInOneServer.start(ServerOptions.forTests());
                HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            String base = "http://127.0.0.1:" + server.httpPort();
            for (String path : new String[] {"/", "/m/6f1c0000-0000-4000-8000-000000000000", "/app.js", "/styles.css"}) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + path)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as(path).isEqualTo(200);
                assertThat(r.headers().firstValue("Content-Security-Policy")).as(path).hasValueSatisfying(csp -> assertThat(csp)
                        .contains("script-src 'self'", "style-src 'self'", "frame-ancestors 'none'")
                        .doesNotContain("unsafe-inline"));
                assertThat(r.headers().firstValue("X-Content-Type-Options")).as(path).contains("nosniff");
                assertThat(r.headers().firstValue("Referrer-Policy")).as(path).contains("no-referrer");
                assertThat(r.headers().firstValue("X-Frame-Options")).as(path).contains("DENY");
            }
        }
    }
}
