package dev.convene.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.convene.client.ConveneClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * deploy/grafana/convene-dashboard.json queries only metrics a running server exports: every
 * metric name in a panel's PromQL (and the node variable's query) is a sample in {@code /metrics}
 * of an all-in-one server after two participants exchanged media and one left.
 */
class GrafanaDashboardTest {

    private static final Path DASHBOARD = Path.of("..", "deploy", "grafana", "convene-dashboard.json");
    /** A series selector ({@code name{…}}) or the metric of {@code label_values(name, label)}. */
    private static final Pattern METRIC = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)\\{|label_values\\(([a-zA-Z_:][a-zA-Z0-9_:]*)");

    @Test
    void everyMetricTheDashboardQueriesIsExported() throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        List<String> queries = new ArrayList<>();
        dashboard.path("panels").forEach(p -> p.path("targets").forEach(t -> queries.add(t.path("expr").asText())));
        dashboard.path("templating").path("list").forEach(v -> queries.add(v.path("definition").asText()));
        Set<String> queried = new TreeSet<>();
        for (String q : queries) {
            Matcher m = METRIC.matcher(q);
            while (m.find()) {
                queried.add(m.group(1) != null ? m.group(1) : m.group(2));
            }
        }
        assertThat(queried).as("metrics read from the dashboard").hasSizeGreaterThan(15)
                .contains("convene_sfu_bytes_total", "convene_sfu_rtt_seconds_bucket", "process_cpu_usage");

        try (JavaClientFixture fixture = new JavaClientFixture()) {
            ConveneClient ada = fixture.join("Ada");
            ConveneClient bob = fixture.join("Bob");
            ada.publish();
            bob.publish();
            await("RTT measured from Bob's reports").atMost(Duration.ofSeconds(20))
                    .until(() -> metrics(fixture).contains("convene_sfu_rtt_seconds_count ")
                            && !metrics(fixture).contains("convene_sfu_rtt_seconds_count 0.0"));
            bob.leave();
            await("Bob's socket closed").atMost(Duration.ofSeconds(10))
                    .until(() -> metrics(fixture).contains("convene_signaling_sockets_closed_total"));
            String exported = metrics(fixture);
            Set<String> missing = new TreeSet<>();
            for (String name : queried) {
                if (!Pattern.compile("(?m)^" + Pattern.quote(name) + "[{ ]").matcher(exported).find()) {
                    missing.add(name);
                }
            }
            assertThat(missing).as("queried by the dashboard but not in /metrics").isEmpty();
        }
    }

    private static String metrics(JavaClientFixture fixture) throws Exception {
        HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + fixture.server.httpPort() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).isEqualTo(200);
        return answer.body();
    }
}
