package dev.convene.signaling;

import static dev.convene.signaling.RestApiTest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.convene.signaling.testing.TestServer;
import dev.convene.signaling.testing.TestServer.Peer;
import dev.convene.signaling.testing.TestServer.Response;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code GET /v1/meetings/{id}/messages}: the meeting's chat history, page by page. */
class ChatHistoryTest {

    private final TestServer t = new TestServer();

    @AfterEach
    void tearDown() {
        t.close();
    }

    @Test
    void historyComesBackInPagesWithACursorToOlderOnes() {
        String token = t.guestToken("Ada");
        String meeting = t.createMeeting(token, 5);
        Peer ada = t.enter("Ada", meeting);
        for (int i = 0; i < 7; i++) {
            ada.ws().send("{\"v\":1,\"type\":\"chat\",\"text\":\"message " + i + "\"}");
            ada.ws().awaitType("chat");
        }

        List<String> texts = new ArrayList<>();
        String before = null;
        int pages = 0;
        do {
            Response r = t.request("GET", "/v1/meetings/" + meeting + "/messages?limit=3"
                    + (before == null ? "" : "&before=" + before), token, null);
            assertThat(r.status()).isEqualTo(200);
            List<String> page = new ArrayList<>();
            for (JsonNode m : r.body().get("messages")) {
                assertThat(m.get("participant_id").asText()).isEqualTo(ada.participantId());
                assertThat(m.get("display_name").asText()).isEqualTo("Ada");
                page.add(m.get("text").asText());
            }
            texts.addAll(0, page);
            before = r.body().get("older").isNull() ? null : r.body().get("older").asText();
            pages++;
        } while (before != null && pages < 10);

        assertThat(pages).isEqualTo(3);
        assertThat(texts).containsExactly("message 0", "message 1", "message 2", "message 3", "message 4",
                "message 5", "message 6");
    }

    @Test
    void badParametersAreClearErrors() {
        String token = t.guestToken("Ada");
        String meeting = t.createMeeting(token, 5);
        assertProblem(t.request("GET", "/v1/meetings/" + meeting + "/messages?limit=0", token, null), 400, "invalid_request");
        assertProblem(t.request("GET", "/v1/meetings/" + meeting + "/messages?limit=abc", token, null), 400,
                "invalid_request");
        assertProblem(t.request("GET", "/v1/meetings/" + meeting + "/messages?before=%21%21", token, null), 400,
                "invalid_request");
        assertProblem(t.request("GET", "/v1/meetings/" + meeting + "/messages", null, null), 401, "unauthorized");
        Response empty = t.request("GET", "/v1/meetings/" + meeting + "/messages", token, null);
        assertThat(empty.body().get("messages")).isEmpty();
        assertThat(empty.body().get("older").isNull()).isTrue();
    }

    @Test
    void onlyTheHostAndPresentOrPastParticipantsReadTheHistory() {
        String host = t.guestToken("Host");
        String meeting = t.createMeeting(host, 5);
        String adaToken = t.guestToken("Ada");
        Response joined = t.join(adaToken, meeting);
        var ada = t.open(joined.body().get("token").asText());
        ada.send("{\"v\":1,\"type\":\"join\",\"request_id\":\"j\"}");
        ada.awaitType("joined");
        ada.send("{\"v\":1,\"type\":\"chat\",\"text\":\"secret plans\"}");
        ada.awaitType("chat");
        String path = "/v1/meetings/" + meeting + "/messages";

        // A guest who never joined: 403, and the body carries no message.
        String stranger = t.guestToken("Eve");
        Response refused = t.request("GET", path, stranger, null);
        assertProblem(refused, 403, "not_a_participant");
        assertThat(refused.raw().body()).doesNotContain("secret plans");
        // Holding an unclaimed seat is not having been there.
        assertThat(t.join(stranger, meeting).status()).isEqualTo(200);
        assertProblem(t.request("GET", path, stranger, null), 403, "not_a_participant");

        assertThat(t.request("GET", path, host, null).status()).as("the host").isEqualTo(200);
        assertThat(t.request("GET", path, adaToken, null).status()).as("a present participant").isEqualTo(200);
        ada.send("{\"v\":1,\"type\":\"leave\"}");
        ada.awaitClose();
        Response past = t.request("GET", path, adaToken, null);
        assertThat(past.status()).as("a past participant").isEqualTo(200);
        assertThat(past.body().get("messages").get(0).get("text").asText()).isEqualTo("secret plans");
    }
}
