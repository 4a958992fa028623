package dev.convene.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.convene.client.ConveneApi;
import dev.convene.signaling.auth.InvalidTokenException;
import dev.convene.signaling.http.ProblemCode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docs/openapi.yaml and the running server agree both ways: every route the server registers and
 * every problem code it can answer with is in the file, and every operation in the file answers
 * on a running server with something other than "no such path" or "no such method".
 */
class OpenApiTest {

    private static final Path FILE = Path.of("..", "docs", "openapi.yaml");
    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");

    private static AllInOneServer server;
    private static JsonNode spec;
    private static String base;
    private static String token;
    private static String meetingId;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        spec = new ObjectMapper(new YAMLFactory()).readTree(FILE.toFile());
        server = AllInOneServer.start(ServerOptions.forTests());
        base = "http://127.0.0.1:" + server.httpPort();
        ConveneApi api = new ConveneApi(URI.create(base));
        token = api.guestToken("Ada").accessToken();
        meetingId = api.createMeeting(token, "OpenAPI").meetingId();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void isOpenApi31() {
        assertThat(spec.path("openapi").asText()).startsWith("3.1.");
        assertThat(operations()).hasSizeGreaterThan(5);
    }

    @Test
    void everyRouteTheServerRegistersIsDescribed() {
        List<String> routes = server.signaling().routes();
        assertThat(routes).as("routes read from the router").contains("POST /v1/meetings", "GET /healthz");
        assertThat(operations()).containsAll(routes);
    }

    @Test
    void everyDescribedOperationAnswers() throws Exception {
        List<String> missing = new ArrayList<>();
        for (String operation : operations()) {
            String[] parts = operation.split(" ", 2);
            String path = parts[1].replaceAll("\\{[^}]+}", meetingId);
            if (isWebSocket(parts)) {
                // The upgrade is the operation: it must complete (the bad token then closes it with 4401).
                WebSocket socket = http.newWebSocketBuilder().buildAsync(URI.create(base.replace("http", "ws") + path
                        + "?token=probe"), new WebSocket.Listener() { }).get(10, TimeUnit.SECONDS);
                socket.abort();
                continue;
            }
            HttpResponse<String> answer = send(parts[0], path);
            // A described route may answer 404 only with a code of its own (meeting_not_found,
            // session_not_found), never with the router's not_found; 405 never.
            if (answer.statusCode() == 405 || answer.statusCode() == 404
                    && !answer.body().contains("meeting_not_found") && !answer.body().contains("session_not_found")) {
                missing.add(operation + " -> " + answer.statusCode() + " " + answer.body());
            }
        }
        assertThat(missing).isEmpty();
        // The probe tells a route from a hole: a path not registered does answer 404.
        assertThat(send("GET", "/v1/no-such-route").statusCode()).isEqualTo(404);
        assertThat(send("DELETE", "/v1/meetings").statusCode()).isEqualTo(405);
    }

    @Test
    void everyProblemCodeAndTokenRefusalIsDescribed() {
        JsonNode schemas = spec.path("components").path("schemas");
        assertThat(values(schemas.path("ProblemCode").path("enum")))
                .containsExactlyInAnyOrderElementsOf(Arrays.stream(ProblemCode.values()).map(ProblemCode::wire).toList());
        assertThat(values(schemas.path("TokenRefusal").path("enum"))).containsExactlyInAnyOrderElementsOf(
                Arrays.stream(InvalidTokenException.Reason.values()).map(InvalidTokenException.Reason::wire).toList());
        // Each code is named by the shared response of its status, so a reader finds where it comes from.
        String responses = spec.path("components").path("responses").toString();
        for (ProblemCode code : ProblemCode.values()) {
            assertThat(responses).as("a response naming %s", code.wire()).contains("`" + code.wire() + "`");
        }
    }

    @Test
    void theServerServesThisFile() throws Exception {
        HttpResponse<String> answer = send("GET", "/v1/openapi.yaml");
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/yaml"));
        assertThat(answer.body()).isEqualTo(Files.readString(FILE));
    }

    private static Set<String> operations() {
        Set<String> operations = new TreeSet<>();
        for (Iterator<Map.Entry<String, JsonNode>> paths = spec.path("paths").fields(); paths.hasNext(); ) {
            Map.Entry<String, JsonNode> path = paths.next();
            path.getValue().fieldNames().forEachRemaining(method -> {
                if (METHODS.contains(method)) {
                    operations.add(method.toUpperCase(java.util.Locale.ROOT) + " " + path.getKey());
                }
            });
        }
        return operations;
    }

    private static boolean isWebSocket(String[] operation) {
        return spec.path("paths").path(operation[1]).path(operation[0].toLowerCase(java.util.Locale.ROOT))
                .path("responses").has("101");
    }

    private static List<String> values(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asText()));
        return values;
    }

    private HttpResponse<String> send(String method, String path) throws Exception {
        String body = path.equals("/v1/auth/guest") ? "{\"display_name\":\"Probe\"}" : "{}";
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Bearer " + token)
                .method(method, method.equals("POST") ? HttpRequest.BodyPublishers.ofString(body)
                        : HttpRequest.BodyPublishers.noBody());
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
