package dev.convene.signaling;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.convene.signaling.testing.TestServer;
import dev.convene.signaling.testing.TestServer.Peer;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** Who is in a meeting comes from the record and from presence: a participant whose presence lapsed is gone. */
class PresenceTest {

    @Test
    void aParticipantWhosePresenceLapsedIsNotListed() {
        SignalingStores stores = SignalingStores.inMemory();
        try (TestServer t = new TestServer(c -> c, Clock.systemUTC(), stores)) {
            String token = t.guestToken("Host");
            String meeting = t.createMeeting(token, 5);
            Peer ada = t.enter("Ada", meeting);
            UUID id = UUID.fromString(meeting);
            assertThat(stores.presence().isPresent(id, ada.participantId())).isTrue();
            assertThat(t.request("GET", "/v1/meetings/" + meeting, token, null).body().get("participant_count").asInt())
                    .isEqualTo(1);

            // Ada's signaling node died: nobody renews her presence, so it lapses.
            stores.presence().remove(id, ada.participantId());

            assertThat(t.request("GET", "/v1/meetings/" + meeting, token, null).body().get("participant_count").asInt())
                    .isZero();
            t.enter("Grace", meeting);
            JsonNode joined = t.lastJoined;
            assertThat(joined.get("participants")).isEmpty();
        }
    }

    @Test
    void pingsKeepPresenceAndLeavingEndsIt() {
        SignalingStores stores = SignalingStores.inMemory();
        try (TestServer t = new TestServer(c -> c, Clock.systemUTC(), stores)) {
            String meeting = t.createMeeting(t.guestToken("Host"), 5);
            Peer ada = t.enter("Ada", meeting);
            UUID id = UUID.fromString(meeting);
            stores.presence().remove(id, ada.participantId());
            ada.ws().send("{\"v\":1,\"type\":\"ping\"}");
            ada.ws().awaitType("pong");
            Awaitility.await().atMost(Duration.ofSeconds(2)).until(() -> stores.presence().isPresent(id, ada.participantId()));

            ada.ws().send("{\"v\":1,\"type\":\"leave\"}");
            ada.ws().awaitClose();
            Awaitility.await().atMost(Duration.ofSeconds(2)).until(() -> !stores.presence().isPresent(id, ada.participantId()));
        }
    }
}
