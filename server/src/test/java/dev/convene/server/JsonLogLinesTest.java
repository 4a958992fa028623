package dev.convene.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@code --log-format json}: the server's log lines as JSON objects, ids as fields, no secrets. */
class JsonLogLinesTest {

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void aStructuredLineBecomesAnObjectWithItsKeysAsFields() throws Exception {
        JsonNode line = json.readTree(JsonLogLines.toJson("2026-12-03T14:29:04.986Z INFO MediaResource - "
                + "event=media_resource_started kind=whip meeting_id=a90b7048 participant_id=PA_fec0 reason=\"ICE consent \\\"expired\\\"\" tracks=2"));
        assertThat(line.path("ts").asText()).isEqualTo("2026-12-03T14:29:04.986Z");
        assertThat(line.path("level").asText()).isEqualTo("info");
        assertThat(line.path("logger").asText()).isEqualTo("MediaResource");
        assertThat(line.path("event").asText()).isEqualTo("media_resource_started");
        assertThat(line.path("meeting_id").asText()).isEqualTo("a90b7048");
        assertThat(line.path("participant_id").asText()).isEqualTo("PA_fec0");
        assertThat(line.path("reason").asText()).isEqualTo("ICE consent \"expired\"");
        assertThat(line.path("tracks").asText()).isEqualTo("2");
        assertThat(line.has("message")).isFalse();
    }

    @Test
    void secretsAreRedactedAndProseAndStackLinesKept() throws Exception {
        JsonNode secret = json.readTree(JsonLogLines.toJson(
                "2026-12-03T14:29:04.986Z WARN X - event=oops resume_token=eyJhbGci turn_secret=s3cr3t user_id=US_1"));
        assertThat(secret.path("resume_token").asText()).isEqualTo("[redacted]");
        assertThat(secret.path("turn_secret").asText()).isEqualTo("[redacted]");
        assertThat(secret.path("user_id").asText()).isEqualTo("US_1");
        assertThat(secret.toString()).doesNotContain("eyJhbGci", "s3cr3t");

        JsonNode prose = json.readTree(JsonLogLines.toJson("2026-12-03T14:29:04.986Z ERROR Y - something went wrong: boom"));
        assertThat(prose.path("message").asText()).isEqualTo("something went wrong: boom");
        assertThat(prose.path("level").asText()).isEqualTo("error");

        JsonNode stack = json.readTree(JsonLogLines.toJson("\tat dev.convene.X.y(X.java:1)"));
        assertThat(stack.path("line").asText()).isEqualTo("\tat dev.convene.X.y(X.java:1)");
    }

    @Test
    void aStreamWritesOneObjectPerLine() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PrintStream err = new PrintStream(new JsonLogLines(out), true, StandardCharsets.UTF_8)) {
            err.println("2026-12-03T14:29:04.986Z INFO A - event=one meeting_id=m1");
            err.print("2026-12-03T14:29:05.000Z INFO B - event=two participant_id=PA_2\n");
        }
        String[] lines = out.toString(StandardCharsets.UTF_8).split("\n");
        assertThat(lines).hasSize(2);
        assertThat(json.readTree(lines[0]).path("meeting_id").asText()).isEqualTo("m1");
        assertThat(json.readTree(lines[1]).path("participant_id").asText()).isEqualTo("PA_2");
    }
}
