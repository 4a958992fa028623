package dev.convene.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import javax.net.ssl.SSLContext;

/**
 * The REST calls a client makes before it opens the signaling socket (docs/signaling.md, "REST,
 * before the socket"). Refusals come back as {@link ApiException} with the problem's code.
 * Thread-safe.
 */
public final class ConveneApi {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final URI baseUrl;
    private final HttpClient http;
    private final ObjectMapper json = new ObjectMapper();

    /** @param baseUrl e.g. {@code http://127.0.0.1:8080} */
    public ConveneApi(URI baseUrl) {
        this(baseUrl, HttpClient.newBuilder().connectTimeout(TIMEOUT).build());
    }

    /**
     * An API over {@code https://} (and its sockets over {@code wss://}) trusting what {@code tls}
     * trusts: build it with {@code dev.convene.tls.TlsContexts.trusting} (a trust store: CA or the
     * server's own certificate, host name checked) or {@code TlsContexts.pinned} (exactly one
     * certificate, e.g. a development server's self-signed one).
     */
    public static ConveneApi overTls(URI baseUrl, SSLContext tls) {
        if (!"https".equalsIgnoreCase(baseUrl.getScheme())) {
            throw new IllegalArgumentException("a TLS client needs an https:// base URL, not " + baseUrl);
        }
        return new ConveneApi(baseUrl, HttpClient.newBuilder().connectTimeout(TIMEOUT).sslContext(tls).build());
    }

    public ConveneApi(URI baseUrl, HttpClient http) {
        String s = Objects.requireNonNull(baseUrl, "baseUrl").toString();
        this.baseUrl = URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
        this.http = Objects.requireNonNull(http, "http");
    }

    public URI baseUrl() {
        return baseUrl;
    }

    /** The HTTP client the API calls go through; the signaling socket uses it too. */
    public HttpClient httpClient() {
        return http;
    }

    /** {@code POST /v1/auth/guest}. */
    public GuestToken guestToken(String displayName) {
        ObjectNode body = json.createObjectNode().put("display_name", displayName);
        JsonNode a = call("POST", "/v1/auth/guest", null, body, 200);
        return new GuestToken(text(a, "access_token"), text(a, "user_id"), text(a, "display_name"),
                a.path("expires_in").asLong());
    }

    /** {@code POST /v1/meetings}; {@code title} may be null. */
    public MeetingInfo createMeeting(String accessToken, String title) {
        ObjectNode body = json.createObjectNode();
        if (title != null) {
            body.put("title", title);
        }
        return meeting(call("POST", "/v1/meetings", accessToken, body, 201));
    }

    /** {@code GET /v1/meetings/{id}}. */
    public MeetingInfo getMeeting(String accessToken, String meetingId) {
        return meeting(call("GET", "/v1/meetings/" + encode(meetingId), accessToken, null, 200));
    }

    /** {@code GET /v1/meetings/{id}/join?display_name=…}: reserves a seat. */
    public JoinGrant join(String accessToken, String meetingId, String displayName) {
        String path = "/v1/meetings/" + encode(meetingId) + "/join"
                + (displayName == null ? "" : "?display_name=" + encode(displayName));
        JsonNode a = call("GET", path, accessToken, null, 200);
        JsonNode sfu = a.path("sfu");
        return new JoinGrant(text(a, "meeting_id"), text(a, "participant_id"), text(a, "display_name"),
                sfu.path("node_id").asText(null), sfu.path("region").asText(null),
                URI.create(text(a, "signaling_url")), text(a, "token"), a.path("expires_in").asLong());
    }

    private MeetingInfo meeting(JsonNode a) {
        return new MeetingInfo(text(a, "meeting_id"), a.path("title").asText(null), a.path("capacity").asInt(),
                a.path("host_id").asText(null), a.path("created_at").asText(null), a.path("join_url").asText(null),
                a.has("participant_count") ? a.get("participant_count").asInt() : -1);
    }

    private JsonNode call(String method, String path, String accessToken, JsonNode body, int expectedStatus) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(TIMEOUT)
                .header("Accept", "application/json");
        if (accessToken != null) {
            request.header("Authorization", "Bearer " + accessToken);
        }
        if (body != null) {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(body.toString()));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during " + method + " " + path, e);
        }
        JsonNode answer = parse(response.body());
        if (response.statusCode() != expectedStatus) {
            String code = answer != null && answer.hasNonNull("code") ? answer.get("code").asText() : "unexpected_response";
            String detail = answer != null && answer.hasNonNull("detail") ? answer.get("detail").asText() : response.body();
            throw new ApiException(response.statusCode(), code, detail);
        }
        if (answer == null || !answer.isObject()) {
            throw new ApiException(response.statusCode(), "unexpected_response",
                    method + " " + path + " did not answer with a JSON object");
        }
        return answer;
    }

    private JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            return json.readTree(body);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || !v.isTextual()) {
            throw new ApiException(200, "unexpected_response", "the answer lacks the string field " + field);
        }
        return v.asText();
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
