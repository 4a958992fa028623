package dev.convene.signaling;

import static dev.convene.signaling.RestApiTest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.convene.signaling.auth.TokenService;
import dev.convene.signaling.testing.FakeSfuNode;
import dev.convene.signaling.testing.TestServer;
import dev.convene.signaling.testing.TestServer.Response;
import dev.convene.signaling.testing.WsTestClient;
import dev.convene.signaling.ws.SignalingSockets;
import dev.convene.store.Meeting;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 17, Done-when 1, the host part (ADR 0016): what a meeting's hosts can do, and every
 * refusal with its documented code and nothing changed — a participant trying host actions
 * ({@code not_host}), a removed participant rejoining ({@code removed_from_meeting}), a locked
 * meeting ({@code meeting_locked}), a wrong password ({@code wrong_password}).
 */
class HostModerationTest {

    private final TestServer t = new TestServer();

    @AfterEach
    void tearDown() {
        t.close();
    }

    /** A person: its access token and, once in, its participant id and socket. */
    private record Person(String token, String participantId, WsTestClient ws) {}

    private Person enter(String token, String meeting) {
        Response r = t.join(token, meeting);
        assertThat(r.status()).as("join: %s", r.body()).isEqualTo(200);
        WsTestClient ws = t.open(r.body().get("token").asText());
        ws.send("{\"v\":1,\"type\":\"join\",\"request_id\":\"j\"}");
        ws.awaitType("joined");
        return new Person(token, r.body().get("participant_id").asText(), ws);
    }

    private Response post(String path, String token, String body) {
        return t.request("POST", path, token, body);
    }

    private Meeting stored(String meeting) {
        return t.stores.meetings().find(UUID.fromString(meeting)).orElseThrow();
    }

    private int occupancy(String meeting) {
        return t.stores.seats().occupancy(UUID.fromString(meeting));
    }

    @Test
    void aParticipantTryingEachHostActionIsRefusedNotHostAndNothingChanges() {
        String hostToken = t.guestToken("Ada");
        String meeting = t.createMeeting(hostToken, 5);
        Person ada = enter(hostToken, meeting);
        Person bob = enter(t.guestToken("Bob"), meeting);
        ada.ws().awaitType("participant-joined");
        Meeting before = stored(meeting);
        String m = "/v1/meetings/" + meeting;

        for (String[] call : new String[][] {
                {m + "/rules", "{\"locked\":true,\"waiting_room\":true}"},
                {m + "/end", "{}"},
                {m + "/host", "{\"participant_id\":\"" + bob.participantId() + "\"}"},
                {m + "/participants/" + ada.participantId() + "/remove", "{}"},
                {m + "/participants/" + ada.participantId() + "/mute", "{\"kind\":\"audio\"}"},
                {m + "/waiting/PA_someone/admit", "{}"},
                {m + "/waiting/PA_someone/deny", "{}"}}) {
            Response r = post(call[0], bob.token(), call[1]);
            assertProblem(r, 403, "not_host");
        }

        assertThat(stored(meeting)).isEqualTo(before);
        assertThat(t.stores.meetings().isRemoved(before.id(), before.hostId())).isFalse();
        assertThat(occupancy(meeting)).isEqualTo(2);
        ada.ws().assertAlive("a");
        bob.ws().assertAlive("b");
        assertThat(t.sfu.session(ada.participantId()).muted).isEmpty();
        for (Person p : List.of(ada, bob)) {
            assertThat(p.ws().unclaimed()).extracting(n -> n.path("type").asText())
                    .doesNotContain("removed", "muted-by-host", "meeting-ended", "waiting-ended");
        }
    }

    @Test
    void aRemovedParticipantIsClosedWithItsReasonLosesItsSeatAndCannotRejoin() {
        String hostToken = t.guestToken("Ada");
        String meeting = t.createMeeting(hostToken, 5);
        Person ada = enter(hostToken, meeting);
        String bobToken = t.guestToken("Bob");
        Person bob = enter(bobToken, meeting);
        ada.ws().awaitType("participant-joined");
        // A join token Bob got before his removal must not get him back in either.
        String earlierJoinToken = t.join(bobToken, meeting).body().get("token").asText();
        assertThat(occupancy(meeting)).isEqualTo(3);

        Response r = post("/v1/meetings/" + meeting + "/participants/" + bob.participantId() + "/remove", hostToken, "{}");
        assertThat(r.status()).isEqualTo(202);

        assertThat(bob.ws().awaitType("removed").get("message").asText()).contains("removed");
        assertThat(bob.ws().awaitClose()).isEqualTo(SignalingSockets.CLOSE_REMOVED);
        assertThat(ada.ws().awaitType("participant-left").get("participant_id").asText()).isEqualTo(bob.participantId());
        await().atMost(Duration.ofSeconds(5)).until(() -> t.sfu.session(bob.participantId()).closed);
        await().atMost(Duration.ofSeconds(5)).until(() -> occupancy(meeting) == 2);

        assertProblem(t.join(bobToken, meeting), 403, "removed_from_meeting");
        assertThat(occupancy(meeting)).as("the refusal took no seat").isEqualTo(2);

        WsTestClient again = t.open(earlierJoinToken);
        again.send("{\"v\":1,\"type\":\"join\",\"request_id\":\"j2\"}");
        assertThat(again.awaitError("removed_from_meeting").get("request_id").asText()).isEqualTo("j2");
        assertThat(again.awaitClose()).isEqualTo(SignalingSockets.CLOSE_REMOVED);
        assertThat(again.hasType("joined")).isFalse();
        await().atMost(Duration.ofSeconds(5)).until(() -> occupancy(meeting) == 1);

        // Others are not touched, and the host cannot be removed.
        ada.ws().assertAlive("still-here");
        assertProblem(post("/v1/meetings/" + meeting + "/participants/" + ada.participantId() + "/remove", hostToken, "{}"),
                409, "cannot_remove_host");
        assertProblem(post("/v1/meetings/" + meeting + "/participants/PA_nobody/remove", hostToken, "{}"),
                404, "participant_not_found");
    }

    @Test
    void aLockedMeetingRefusesNewJoinsButNotItsHost() {
        String hostToken = t.guestToken("Ada");
        String meeting = t.createMeeting(hostToken, 5);
        Person ada = enter(hostToken, meeting);
        JsonNode rules = ada.ws().awaitType("meeting-rules");
        assertThat(rules.get("host").asBoolean()).isTrue();
        assertThat(rules.get("locked").asBoolean()).isFalse();

        Response locked = post("/v1/meetings/" + meeting + "/rules", hostToken, "{\"locked\":true}");
        assertThat(locked.status()).isEqualTo(200);
        assertThat(locked.body().get("locked").asBoolean()).isTrue();
        assertThat(locked.body().get("waiting_room").asBoolean()).isFalse();
        assertThat(ada.ws().awaitType("meeting-rules").get("locked").asBoolean()).isTrue();

        String bob = t.guestToken("Bob");
        assertProblem(t.join(bob, meeting), 403, "meeting_locked");
        assertThat(occupancy(meeting)).isEqualTo(1);
        assertThat(t.join(hostToken, meeting).status()).as("the host still gets in").isEqualTo(200);

        post("/v1/meetings/" + meeting + "/rules", hostToken, "{\"locked\":false}");
        assertThat(t.join(bob, meeting).status()).isEqualTo(200);
        assertProblem(post("/v1/meetings/" + meeting + "/rules", hostToken, "{\"locked\":\"yes\"}"), 400, "invalid_request");
    }

    @Test
    void aWrongPasswordIsRefusedAndGuessesAreRateLimited() throws Exception {
        String hostToken = t.guestToken("Ada");
        Response created = t.request("POST", "/v1/meetings", hostToken, "{\"title\":\"Board\",\"password\":\"swordfish\"}");
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.body().get("password_required").asBoolean()).isTrue();
        assertThat(created.raw().body()).doesNotContain("swordfish").doesNotContain("pbkdf2");
        String meeting = created.body().get("meeting_id").asText();
        assertThat(stored(meeting).rules().passwordHash()).startsWith("pbkdf2-sha256$").doesNotContain("swordfish");

        String bob = t.guestToken("Bob");
        assertProblem(t.join(bob, meeting), 403, "wrong_password");
        assertRefused(joinWithPassword(bob, meeting, "hunter2"), 403, "wrong_password");
        assertThat(occupancy(meeting)).isZero();
        assertThat(joinWithPassword(bob, meeting, "swordfish").statusCode()).isEqualTo(200);
        assertThat(t.join(hostToken, meeting).status()).as("the host needs no password").isEqualTo(200);
        assertThat(occupancy(meeting)).isEqualTo(2);

        // Five attempts a minute per user, right or wrong: Bob has used three, a guesser gets two more.
        assertRefused(joinWithPassword(bob, meeting, "guess-1"), 403, "wrong_password");
        assertRefused(joinWithPassword(bob, meeting, "guess-2"), 403, "wrong_password");
        Response limited = toResponse(joinWithPassword(bob, meeting, "swordfish"));
        assertProblem(limited, 429, "rate_limited");
        assertThat(limited.header("Retry-After")).isNotNull();
        assertThat(occupancy(meeting)).isEqualTo(2);
    }

    private HttpResponse<String> joinWithPassword(String token, String meeting, String password) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create(t.base() + "/v1/meetings/" + meeting + "/join"))
                .header("Authorization", "Bearer " + token).header("Convene-Meeting-Password", password).GET().build();
        return t.http.send(req, HttpResponse.BodyHandlers.ofString());
    }

    private static Response toResponse(HttpResponse<String> r) throws Exception {
        return new Response(r.statusCode(), new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body()), r);
    }

    private static void assertRefused(HttpResponse<String> r, int status, String code) throws Exception {
        RestApiTest.assertProblem(toResponse(r), status, code);
    }

    @Test
    void theWaitingRoomHoldsJoinsUntilAHostAdmitsOrDenies() {
        String hostToken = t.guestToken("Ada");
        Response created = t.request("POST", "/v1/meetings", hostToken, "{\"waiting_room\":true}");
        String meeting = created.body().get("meeting_id").asText();
        Person ada = enter(hostToken, meeting);

        Response bobJoin = t.join(t.guestToken("Bob"), meeting);
        String bob = bobJoin.body().get("participant_id").asText();
        WsTestClient bobWs = t.open(bobJoin.body().get("token").asText());
        bobWs.send("{\"v\":1,\"type\":\"join\",\"request_id\":\"jb\"}");
        assertThat(bobWs.awaitType("waiting").get("request_id").asText()).isEqualTo("jb");
        JsonNode waiting = ada.ws().awaitType("participant-waiting");
        assertThat(waiting.get("participant_id").asText()).isEqualTo(bob);
        assertThat(waiting.get("display_name").asText()).isEqualTo("Bob");
        // Waiting is not being in: no SFU session, nothing but ping works.
        assertThat(t.sfu.joins()).as("only the host is on the SFU").isEqualTo(1);
        bobWs.send("{\"v\":1,\"type\":\"chat\",\"text\":\"let me in\"}");
        bobWs.awaitError("not_joined");
        bobWs.assertAlive("w");

        assertThat(post("/v1/meetings/" + meeting + "/waiting/" + bob + "/admit", hostToken, "{}").status()).isEqualTo(202);
        assertThat(bobWs.awaitType("admitted").get("request_id").asText()).isEqualTo("jb");
        JsonNode joined = bobWs.awaitType("joined");
        assertThat(joined.get("participants")).extracting(p -> p.get("participant_id").asText())
                .containsExactly(ada.participantId());
        assertThat(ada.ws().awaitType("waiting-ended").get("outcome").asText()).isEqualTo("admitted");
        assertThat(ada.ws().awaitType("participant-joined").get("participant").get("participant_id").asText()).isEqualTo(bob);

        Response carolJoin = t.join(t.guestToken("Carol"), meeting);
        String carol = carolJoin.body().get("participant_id").asText();
        WsTestClient carolWs = t.open(carolJoin.body().get("token").asText());
        carolWs.send("{\"v\":1,\"type\":\"join\",\"request_id\":\"jc\"}");
        carolWs.awaitType("waiting");
        ada.ws().await(n -> "participant-waiting".equals(n.path("type").asText())
                && carol.equals(n.path("participant_id").asText()));
        assertThat(occupancy(meeting)).as("a waiting participant holds its seat").isEqualTo(3);

        post("/v1/meetings/" + meeting + "/waiting/" + carol + "/deny", hostToken, "{}");
        carolWs.awaitType("denied");
        assertThat(carolWs.awaitClose()).isEqualTo(SignalingSockets.CLOSE_DENIED);
        assertThat(ada.ws().awaitType("waiting-ended").get("outcome").asText()).isEqualTo("denied");
        await().atMost(Duration.ofSeconds(5)).until(() -> occupancy(meeting) == 2);
        assertThat(t.sfu.joins()).as("Carol never reached the SFU").isEqualTo(2);
        assertThat(bobWs.unclaimed()).extracting(n -> n.path("type").asText())
                .as("waiting-room traffic is for hosts").doesNotContain("participant-waiting", "waiting-ended");
    }

    @Test
    void aHostMutesAnotherWhoMayUnmuteUnlessTheMeetingSaysNo() {
        String hostToken = t.guestToken("Ada");
        String meeting = t.createMeeting(hostToken, 5);
        Person ada = enter(hostToken, meeting);
        Person bob = enter(t.guestToken("Bob"), meeting);
        bob.ws().send("{\"v\":1,\"type\":\"publish\",\"mid\":\"0\",\"kind\":\"audio\",\"source\":\"microphone\"}");
        bob.ws().send("{\"v\":1,\"type\":\"offer\",\"pc\":\"publisher\",\"sdp\":\"v=0\\r\\nm=audio 9 UDP/TLS/RTP/SAVPF 111\\r\\na=mid:0\\r\\n\",\"request_id\":\"o\"}");
        String track = bob.ws().awaitType("answer").get("tracks").get(0).get("track_id").asText();
        ada.ws().awaitType("track-published");
        FakeSfuNode.FakeSession session = t.sfu.session(bob.participantId());

        String mute = "/v1/meetings/" + meeting + "/participants/" + bob.participantId() + "/mute";
        assertThat(post(mute, hostToken, "{\"kind\":\"audio\"}").status()).isEqualTo(202);
        JsonNode told = bob.ws().awaitType("muted-by-host");
        assertThat(told.get("track_id").asText()).isEqualTo(track);
        assertThat(told.get("kind").asText()).isEqualTo("audio");
        await().atMost(Duration.ofSeconds(5)).until(() -> Boolean.TRUE.equals(session.muted.get(track)));
        JsonNode seen = ada.ws().awaitType("track-muted");
        assertThat(seen.get("track_id").asText()).isEqualTo(track);
        assertThat(seen.get("muted").asBoolean()).isTrue();

        // Allowed by default: the participant unmutes itself.
        bob.ws().send("{\"v\":1,\"type\":\"mute\",\"track_id\":\"" + track + "\",\"muted\":false,\"request_id\":\"u1\"}");
        assertThat(ada.ws().awaitType("track-muted").get("muted").asBoolean()).isFalse();
        assertThat(session.muted.get(track)).isFalse();

        post("/v1/meetings/" + meeting + "/rules", hostToken, "{\"self_unmute\":false}");
        bob.ws().awaitType("meeting-rules");
        bob.ws().awaitType("meeting-rules");
        post(mute, hostToken, "{\"kind\":\"audio\"}");
        bob.ws().awaitType("muted-by-host");
        await().atMost(Duration.ofSeconds(5)).until(() -> Boolean.TRUE.equals(session.muted.get(track)));
        bob.ws().send("{\"v\":1,\"type\":\"mute\",\"track_id\":\"" + track + "\",\"muted\":false,\"request_id\":\"u2\"}");
        assertThat(bob.ws().awaitError("muted_by_host").get("request_id").asText()).isEqualTo("u2");
        assertThat(session.muted.get(track)).as("still not forwarded").isTrue();

        assertProblem(post(mute, hostToken, "{\"kind\":\"smell\"}"), 400, "invalid_request");
    }

    @Test
    void aHostHandsHostOnAndTheNewHostEndsTheMeetingForAll() {
        String adaToken = t.guestToken("Ada");
        String meeting = t.createMeeting(adaToken, 5);
        Person ada = enter(adaToken, meeting);
        Person bob = enter(t.guestToken("Bob"), meeting);
        assertThat(bob.ws().awaitType("meeting-rules").get("host").asBoolean()).isFalse();

        Response handed = post("/v1/meetings/" + meeting + "/host", adaToken, "{\"participant_id\":\"" + bob.participantId() + "\"}");
        assertThat(handed.status()).isEqualTo(200);
        JsonNode bobRules = bob.ws().awaitType("meeting-rules");
        assertThat(bobRules.get("host").asBoolean()).isTrue();
        assertThat(stored(meeting).hostId()).isEqualTo(bobRules.get("host_id").asText());
        ada.ws().await(n -> "meeting-rules".equals(n.path("type").asText()) && !n.path("host").asBoolean());
        assertProblem(post("/v1/meetings/" + meeting + "/rules", adaToken, "{\"locked\":true}"), 403, "not_host");

        assertThat(post("/v1/meetings/" + meeting + "/end", bob.token(), "{}").status()).isEqualTo(200);
        for (Person p : List.of(ada, bob)) {
            p.ws().awaitType("meeting-ended");
            assertThat(p.ws().awaitClose()).isEqualTo(SignalingSockets.CLOSE_MEETING_ENDED);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> occupancy(meeting) == 0);
        assertThat(t.sfu.session(ada.participantId()).closed).isTrue();
        assertProblem(t.join(adaToken, meeting), 409, "meeting_ended");
        assertProblem(post("/v1/meetings/" + meeting + "/end", bob.token(), "{}"), 409, "meeting_ended");
    }

    @Test
    void aTokensHostGrantMakesAHostOfTheMeetingsItAllows() {
        String meeting = t.createMeeting(t.guestToken("Ada"), 5);
        String other = t.createMeeting(t.guestToken("Ada"), 5);
        TokenService tokens = new TokenService(List.of(TestServer.KEY_1), Clock.systemUTC());
        String moderator = tokens.issueAccess("US_mod", "Mod", Duration.ofMinutes(10), UUID.fromString(meeting), true).token();
        String plain = tokens.issueAccess("US_plain", "Plain", Duration.ofMinutes(10), UUID.fromString(meeting), false).token();

        assertThat(post("/v1/meetings/" + meeting + "/rules", moderator, "{\"locked\":true}").status()).isEqualTo(200);
        assertThat(t.join(moderator, meeting).status()).as("a granted host passes the lock").isEqualTo(200);
        assertProblem(post("/v1/meetings/" + meeting + "/rules", plain, "{\"locked\":false}"), 403, "not_host");
        assertProblem(post("/v1/meetings/" + other + "/rules", moderator, "{\"locked\":true}"), 403, "token_not_for_meeting");
        assertThat(stored(other).rules().locked()).isFalse();
        assertThat(stored(meeting).rules().locked()).isTrue();
        // Hosts read the chat history like the stored host does; a plain token of someone never in it does not.
        assertThat(t.request("GET", "/v1/meetings/" + meeting + "/messages", moderator, null).status()).isEqualTo(200);
        assertProblem(t.request("GET", "/v1/meetings/" + meeting + "/messages", plain, null), 403, "not_a_participant");
    }

    @Test
    void turningTheWaitingRoomOffAdmitsThoseWaitingAndALeaverLeavesTheHostsList() {
        String hostToken = t.guestToken("Ada");
        String meeting = t.request("POST", "/v1/meetings", hostToken, "{\"waiting_room\":true}").body().get("meeting_id").asText();
        Person ada = enter(hostToken, meeting);

        WsTestClient bob = waitIn(t.guestToken("Bob"), meeting);
        Response carolJoin = t.join(t.guestToken("Carol"), meeting);
        String carol = carolJoin.body().get("participant_id").asText();
        WsTestClient carolWs = t.open(carolJoin.body().get("token").asText());
        carolWs.send("{\"v\":1,\"type\":\"join\",\"request_id\":\"jc\"}");
        carolWs.awaitType("waiting");
        ada.ws().await(n -> "participant-waiting".equals(n.path("type").asText())
                && carol.equals(n.path("participant_id").asText()));

        carolWs.send("{\"v\":1,\"type\":\"leave\"}");
        ada.ws().await(n -> "waiting-ended".equals(n.path("type").asText()) && carol.equals(n.path("participant_id").asText())
                && "left".equals(n.path("outcome").asText()));

        post("/v1/meetings/" + meeting + "/rules", hostToken, "{\"waiting_room\":false}");
        bob.awaitType("admitted");
        bob.awaitType("joined");
        assertThat(bob.awaitType("meeting-rules").get("waiting_room").asBoolean()).isFalse();
        await().atMost(Duration.ofSeconds(5)).until(() -> occupancy(meeting) == 2);
    }

    @Test
    void aHostWhoJoinsLaterHearsOfThoseAlreadyWaiting() {
        String hostToken = t.guestToken("Ada");
        String meeting = t.request("POST", "/v1/meetings", hostToken, "{\"waiting_room\":true}").body().get("meeting_id").asText();
        WsTestClient bob = waitIn(t.guestToken("Bob"), meeting);
        Person ada = enter(hostToken, meeting);
        JsonNode waiting = ada.ws().awaitType("participant-waiting");
        assertThat(waiting.get("display_name").asText()).isEqualTo("Bob");
        post("/v1/meetings/" + meeting + "/waiting/" + waiting.get("participant_id").asText() + "/admit", hostToken, "{}");
        bob.awaitType("joined");
    }

    /** Host actions taken on one signaling node reach the sockets on another (shared stores and event bus). */
    @Test
    void hostActionsReachSocketsOnAnotherNode() {
        try (TestServer other = new TestServer(c -> c, Clock.systemUTC(), t.stores)) {
            String hostToken = t.guestToken("Ada");
            String meeting = t.createMeeting(hostToken, 5);
            Person ada = enter(hostToken, meeting);
            String bobToken = other.guestToken("Bob");
            Response bobJoin = other.join(bobToken, meeting);
            String bob = bobJoin.body().get("participant_id").asText();
            WsTestClient bobWs = other.open(bobJoin.body().get("token").asText());
            bobWs.send("{\"v\":1,\"type\":\"join\",\"request_id\":\"j\"}");
            bobWs.awaitType("joined");
            bobWs.send("{\"v\":1,\"type\":\"publish\",\"mid\":\"0\",\"kind\":\"audio\",\"source\":\"microphone\"}");
            bobWs.send("{\"v\":1,\"type\":\"offer\",\"pc\":\"publisher\",\"sdp\":\"v=0\\r\\nm=audio 9 UDP/TLS/RTP/SAVPF 111\\r\\na=mid:0\\r\\n\",\"request_id\":\"o\"}");
            String track = bobWs.awaitType("answer").get("tracks").get(0).get("track_id").asText();
            ada.ws().awaitType("participant-joined");

            post("/v1/meetings/" + meeting + "/participants/" + bob + "/mute", hostToken, "{\"kind\":\"audio\"}");
            assertThat(bobWs.awaitType("muted-by-host").get("track_id").asText()).isEqualTo(track);
            await().atMost(Duration.ofSeconds(5)).until(() -> Boolean.TRUE.equals(other.sfu.session(bob).muted.get(track)));

            post("/v1/meetings/" + meeting + "/participants/" + bob + "/remove", hostToken, "{}");
            assertThat(bobWs.awaitClose()).isEqualTo(SignalingSockets.CLOSE_REMOVED);
            await().atMost(Duration.ofSeconds(5)).until(() -> other.sfu.session(bob).closed);
            assertProblem(other.join(bobToken, meeting), 403, "removed_from_meeting");
            ada.ws().assertAlive("a");
        }
    }

    private WsTestClient waitIn(String token, String meeting) {
        Response r = t.join(token, meeting);
        WsTestClient ws = t.open(r.body().get("token").asText());
        ws.send("{\"v\":1,\"type\":\"join\",\"request_id\":\"w\"}");
        ws.awaitType("waiting");
        return ws;
    }
}
