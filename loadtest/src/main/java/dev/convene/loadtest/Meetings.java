package dev.convene.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.convene.client.ConveneApi;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Creates meetings of a given capacity ({@code ConveneApi.createMeeting} takes the default, 100). */
final class Meetings {

    /** The server's largest capacity (signaling's {@code RestApi.MAX_CAPACITY}): bigger audiences are split. */
    static final int MAX_CAPACITY = 100;

    private static final ObjectMapper JSON = new ObjectMapper();

    private Meetings() {
    }

    static String create(ConveneApi api, String hostToken, String title, int capacity) {
        String body = JSON.createObjectNode().put("title", title).put("capacity", Math.min(MAX_CAPACITY, capacity)).toString();
        HttpRequest request = HttpRequest.newBuilder(URI.create(api.baseUrl() + "/v1/meetings"))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + hostToken)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        try {
            HttpResponse<String> response = api.httpClient().send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 201) {
                throw new IllegalStateException("POST /v1/meetings answered " + response.statusCode() + ": " + response.body());
            }
            JsonNode answer = JSON.readTree(response.body());
            return answer.path("meeting_id").asText();
        } catch (IOException e) {
            throw new IllegalStateException("POST /v1/meetings failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
