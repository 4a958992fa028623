package dev.convene.signaling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.convene.sfu.SubscribedTrack;
import dev.convene.sfu.TrackInfo;
import dev.convene.sfu.TrackKind;
import dev.convene.sfu.TrackSource;
import dev.convene.signaling.testing.FakeSfuNode;
import dev.convene.signaling.testing.TestServer;
import dev.convene.signaling.testing.TestServer.Peer;
import dev.convene.signaling.testing.WsTestClient;
import dev.convene.store.Participant;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SignalingSocketTest {

    private static final String JOIN = "{\"v\":1,\"type\":\"join\",\"request_id\":\"j1\"}";

    private TestServer t = new TestServer();
    private String host;
    private String meeting;

    private void newMeeting(int capacity) {
        host = t.guestToken("Host");
        meeting = t.createMeeting(host, capacity);
    }

    @AfterEach
    void tearDown() {
        t.close();
    }

    private UUID meetingId() {
        return UUID.fromString(meeting);
    }

    @Test
    void missingOrBadTokenIsClosedWith4401() {
        newMeeting(5);
        assertThat(t.open("not-a-jwt").awaitClose()).isEqualTo(4401);
        // An access token is not a join token.
        assertThat(t.open(t.guestToken("Ada")).awaitClose()).isEqualTo(4401);
    }

    @Test
    void aSocketWithoutTokenMayOnlyResume() {
        newMeeting(5);
        var ws = t.open(null);
        ws.send(JOIN);
        JsonNode error = ws.awaitType("error");
        assertThat(error.get("code").asText()).isEqualTo("not_joined");
        ws.send("{\"v\":1,\"type\":\"chat\",\"text\":\"hi\"}");
        assertThat(ws.awaitType("error").get("code").asText()).isEqualTo("not_joined");
    }

    @Test
    void joinIsAnsweredWithJoined() {
        newMeeting(5);
        Peer ada = t.connect("Ada", meeting);
        ada.ws().send(JOIN);
        JsonNode joined = ada.ws().awaitType("joined");
        assertThat(joined.get("v").asInt()).isEqualTo(1);
        assertThat(joined.get("request_id").asText()).isEqualTo("j1");
        assertThat(joined.get("meeting_id").asText()).isEqualTo(meeting);
        assertThat(joined.get("participant_id").asText()).isEqualTo(ada.participantId());
        assertThat(joined.get("participants")).isEmpty();
        assertThat(joined.get("chat")).isEmpty();
        assertThat(joined.get("resume_token").asText()).isNotBlank();
        assertThat(t.sfu.session(ada.participantId()).meetingId).isEqualTo(meeting);
        assertThat(t.stores.participants().find(meetingId(), ada.participantId())).map(Participant::present).contains(true);
        assertThat(t.request("GET", "/v1/meetings/" + meeting, host, null).body().get("participant_count").asInt()).isEqualTo(1);
    }

    @Test
    void framesBeforeJoinAreRefusedExceptPing() {
        newMeeting(5);
        Peer ada = t.connect("Ada", meeting);
        ada.ws().send("{\"v\":1,\"type\":\"chat\",\"text\":\"hi\",\"request_id\":\"c0\"}");
        assertThat(ada.ws().awaitError("not_joined").get("request_id").asText()).isEqualTo("c0");
        ada.ws().assertAlive("p0");
        ada.ws().send(JOIN);
        ada.ws().awaitType("joined");
        ada.ws().send(JOIN);
        ada.ws().awaitError("already_joined");
    }

    @Test
    void twoParticipantsSeeEachOtherAndChatBothWays() {
        newMeeting(5);
        Peer ada = t.enter("Ada", meeting);
        ada.ws().send("{\"v\":1,\"type\":\"chat\",\"text\":\"  first  \"}");
        ada.ws().awaitType("chat");
        Peer grace = t.enter("Grace", meeting);
        JsonNode joined = t.lastJoined;
        assertThat(joined.get("participants")).hasSize(1);
        assertThat(joined.get("participants").get(0).get("participant_id").asText()).isEqualTo(ada.participantId());
        assertThat(joined.get("participants").get(0).get("display_name").asText()).isEqualTo("Ada");
        assertThat(joined.get("chat")).hasSize(1);
        assertThat(joined.get("chat").get(0).get("text").asText()).isEqualTo("first");

        JsonNode pj = ada.ws().awaitType("participant-joined");
        assertThat(pj.get("participant").get("participant_id").asText()).isEqualTo(grace.participantId());
        assertThat(pj.get("participant").get("display_name").asText()).isEqualTo("Grace");
        assertThat(pj.get("participant").get("tracks")).isEmpty();

        grace.ws().send("{\"v\":1,\"type\":\"chat\",\"text\":\"hello\",\"request_id\":\"7\"}");
        JsonNode own = grace.ws().awaitType("chat");
        assertThat(own.get("request_id").asText()).isEqualTo("7");
        assertThat(own.get("text").asText()).isEqualTo("hello");
        assertThat(own.get("participant_id").asText()).isEqualTo(grace.participantId());
        JsonNode theirs = ada.ws().awaitType("chat");
        assertThat(theirs.has("request_id")).isFalse();
        assertThat(theirs.get("message_id").asText()).isEqualTo(own.get("message_id").asText());
        assertThat(theirs.get("display_name").asText()).isEqualTo("Grace");
        assertThat(theirs.get("sent_at").asText()).isNotBlank();

        ada.ws().send("{\"v\":1,\"type\":\"chat\",\"text\":\"hi Grace\"}");
        assertThat(grace.ws().awaitType("chat").get("text").asText()).isEqualTo("hi Grace");

        grace.ws().send("{\"v\":1,\"type\":\"leave\"}");
        assertThat(grace.ws().awaitClose()).isEqualTo(1000);
        assertThat(ada.ws().awaitType("participant-left").get("participant_id").asText()).isEqualTo(grace.participantId());
        assertThat(t.stores.seats().occupancy(meetingId())).isEqualTo(1);
        assertThat(t.stores.participants().find(meetingId(), grace.participantId()).flatMap(Participant::left)).isPresent();
        assertThat(t.sfu.session(grace.participantId()).closed).isTrue();
        assertThat(ada.ws().hasType("participant-joined")).isFalse();
    }

    @Test
    void chatIsValidated() {
        newMeeting(5);
        Peer ada = t.enter("Ada", meeting);
        ada.ws().send("{\"v\":1,\"type\":\"chat\",\"text\":\"   \",\"request_id\":\"c1\"}");
        assertThat(ada.ws().awaitError("malformed_message").get("request_id").asText()).isEqualTo("c1");
        ada.ws().send("{\"v\":1,\"type\":\"chat\",\"text\":\"" + "x".repeat(4001) + "\",\"request_id\":\"c2\"}");
        assertThat(ada.ws().awaitError("malformed_message").get("request_id").asText()).isEqualTo("c2");
        ada.ws().send("{\"v\":1,\"type\":\"chat\",\"text\":\"" + "x".repeat(4000) + "\",\"request_id\":\"c3\"}");
        assertThat(ada.ws().awaitType("chat").get("request_id").asText()).isEqualTo("c3");
    }

    @Test
    void badFramesGetErrorsAndTheSocketStillAnswers() {
        newMeeting(5);
        Peer ada = t.enter("Ada", meeting);
        WsTestClient ws = ada.ws();

        ws.send("{not json");
        ws.awaitError("malformed_message");
        ws.assertAlive("p1");

        ws.send("[1,2,3]");
        ws.awaitError("malformed_message");

        ws.send("{\"v\":1,\"type\":\"shout\",\"request_id\":\"9\"}");
        JsonNode unknown = ws.awaitError("unknown_type");
        assertThat(unknown.get("request_id").asText()).isEqualTo("9");
        assertThat(unknown.get("message").asText()).contains("shout");
        ws.assertAlive("p2");

        ws.send("{\"v\":2,\"type\":\"ping\",\"request_id\":\"10\"}");
        assertThat(ws.awaitError("unsupported_version").get("request_id").asText()).isEqualTo("10");

        ws.send("{\"v\":1,\"type\":\"mute\",\"track_id\":\"TR_1\",\"muted\":\"yes\",\"request_id\":\"11\"}");
        assertThat(ws.awaitError("malformed_message").get("request_id").asText()).isEqualTo("11");

        ws.send("{\"v\":1,\"type\":\"ping\",\"pad\":\"" + "x".repeat(100 * 1024) + "\"}");
        ws.awaitError("frame_too_large");
        ws.assertAlive("p3");
        assertThat(ws.isClosed()).isFalse();
    }

    @Test
    void onlyAnAnswerMayCarryAMeetingsWorthOfSdpAndALongFrameIsRefusedWithItsRequestId() {
        newMeeting(5);
        Peer ada = t.enter("Ada", meeting);
        WsTestClient ws = ada.ws();
        String sdp = "v=0\\r\\n" + "a=x\\r\\n".repeat(30_000); // a 250 KB frame, as an answer for ~300 tracks

        // The type after the long value: the head is found by skipping it, not by position.
        ws.send("{\"v\":1,\"pc\":\"subscriber\",\"sdp\":\"" + sdp + "\",\"request_id\":\"a1\",\"type\":\"answer\"}");
        assertThat(ws.awaitType("ack").get("request_id").asText()).isEqualTo("a1");
        assertThat(t.sfu.session(ada.participantId()).subscriberAnswers).singleElement()
                .satisfies(a -> assertThat(a.length()).isEqualTo(5 + 30_000 * 5));

        ws.send("{\"v\":1,\"type\":\"offer\",\"pc\":\"publisher\",\"request_id\":\"o1\",\"sdp\":\"" + sdp + "\"}");
        JsonNode offer = ws.awaitError("frame_too_large");
        assertThat(offer.get("request_id").asText()).isEqualTo("o1");
        assertThat(offer.get("message").asText()).contains("65536 bytes", "subscriber answers to 524288");

        ws.send("{\"v\":1,\"type\":\"answer\",\"pc\":\"subscriber\",\"request_id\":\"a2\",\"sdp\":\""
                + "x".repeat(600 * 1024) + "\"}");
        assertThat(ws.awaitError("frame_too_large").get("request_id").asText()).isEqualTo("a2");
        ws.send("{\"v\":1,\"type\":\"answer\",\"sdp\":\"" + "x".repeat(100 * 1024) + "\"");
        assertThat(ws.awaitError("malformed_message").has("request_id")).isFalse();
        ws.assertAlive("p4");
        assertThat(t.sfu.session(ada.participantId()).subscriberAnswers).hasSize(1);
    }

    @Test
    void oneBadClientDoesNotDisturbAnother() {
        newMeeting(5);
        Peer ada = t.enter("Ada", meeting);
        Peer bad = t.enter("Mallory", meeting);
        for (int i = 0; i < 20; i++) {
            bad.ws().send("{garbage " + i);
        }
        bad.ws().send("{\"v\":1,\"type\":\"ping\",\"pad\":\"" + "x".repeat(200 * 1024) + "\"}");
        ada.ws().assertAlive("still-here");
        bad.ws().assertAlive("me-too");
    }

    @Test
    void publishOfferAnswerMuteAndUnpublish() {
        newMeeting(5);
        Peer ada = t.enter("Ada", meeting);
        Peer grace = t.enter("Grace", meeting);
        ada.ws().awaitType("participant-joined");

        ada.ws().send("{\"v\":1,\"type\":\"publish\",\"mid\":\"1\",\"kind\":\"video\",\"source\":\"screen\"}");
        ada.ws().send("{\"v\":1,\"type\":\"offer\",\"pc\":\"publisher\",\"sdp\":\"v=0\\r\\nm=video 9 UDP/TLS/RTP/SAVPF 96\\r\\na=mid:1\\r\\n\",\"request_id\":\"2\"}");
        JsonNode answer = ada.ws().awaitType("answer");
        assertThat(answer.get("pc").asText()).isEqualTo("publisher");
        assertThat(answer.get("request_id").asText()).isEqualTo("2");
        assertThat(answer.get("sdp").asText()).isEqualTo(FakeSfuNode.ANSWER_SDP);
        assertThat(answer.get("tracks")).hasSize(1);
        JsonNode track = answer.get("tracks").get(0);
        assertThat(track.get("mid").asText()).isEqualTo("1");
        assertThat(track.get("kind").asText()).isEqualTo("video");
        assertThat(track.get("source").asText()).isEqualTo("screen");
        String trackId = track.get("track_id").asText();

        JsonNode published = grace.ws().awaitType("track-published");
        assertThat(published.get("participant_id").asText()).isEqualTo(ada.participantId());
        assertThat(published.get("track").get("track_id").asText()).isEqualTo(trackId);
        assertThat(published.get("track").get("source").asText()).isEqualTo("screen");
        assertThat(published.get("track").get("muted").asBoolean()).isFalse();

        // The SFU renegotiates Grace's subscriber connection; she answers.
        t.sfu.session(grace.participantId()).offerToSubscriber("v=0\r\nsub-offer\r\n", List.of(new SubscribedTrack("0",
                new TrackInfo(trackId, ada.participantId(), "1", TrackKind.VIDEO, TrackSource.SCREEN, false))));
        JsonNode offer = grace.ws().awaitType("offer");
        assertThat(offer.get("pc").asText()).isEqualTo("subscriber");
        assertThat(offer.get("sdp").asText()).isEqualTo("v=0\r\nsub-offer\r\n");
        assertThat(offer.get("tracks").get(0).get("mid").asText()).isEqualTo("0");
        assertThat(offer.get("tracks").get(0).get("participant_id").asText()).isEqualTo(ada.participantId());
        assertThat(offer.get("tracks").get(0).get("track_id").asText()).isEqualTo(trackId);
        grace.ws().send("{\"v\":1,\"type\":\"answer\",\"pc\":\"subscriber\",\"sdp\":\"v=0\\r\\nsub-answer\\r\\n\",\"request_id\":\"a7\"}");
        JsonNode ack = grace.ws().awaitType("ack");
        assertThat(ack.get("request_id").asText()).isEqualTo("a7");
        assertThat(ack.get("of").asText()).isEqualTo("answer");
        grace.ws().send("{\"v\":1,\"type\":\"ice-candidate\",\"pc\":\"subscriber\",\"candidate\":null}");
        grace.ws().assertAlive("after-answer");
        assertThat(t.sfu.session(grace.participantId()).subscriberAnswers).containsExactly("v=0\r\nsub-answer\r\n");

        // A third participant sees Ada's track in joined.
        t.enter("Linus", meeting);
        JsonNode adaInJoined = t.lastJoined.get("participants").get(0);
        assertThat(adaInJoined.get("participant_id").asText()).isEqualTo(ada.participantId());
        assertThat(adaInJoined.get("tracks").get(0).get("track_id").asText()).isEqualTo(trackId);

        ada.ws().send("{\"v\":1,\"type\":\"mute\",\"track_id\":\"" + trackId + "\",\"muted\":true}");
        JsonNode muted = grace.ws().awaitType("track-muted");
        assertThat(muted.get("track_id").asText()).isEqualTo(trackId);
        assertThat(muted.get("muted").asBoolean()).isTrue();
        assertThat(t.sfu.session(ada.participantId()).muted).containsEntry(trackId, true);

        ada.ws().send("{\"v\":1,\"type\":\"unpublish\",\"track_id\":\"" + trackId + "\"}");
        assertThat(grace.ws().awaitType("track-unpublished").get("track_id").asText()).isEqualTo(trackId);
        assertThat(t.sfu.session(ada.participantId()).unpublished).containsExactly(trackId);

        ada.ws().send("{\"v\":1,\"type\":\"mute\",\"track_id\":\"TR_nope\",\"muted\":true,\"request_id\":\"m9\"}");
        assertThat(ada.ws().awaitError("unknown_track").get("request_id").asText()).isEqualTo("m9");
    }

    @Test
    void unusableSdpIsBadSdp() {
        newMeeting(5);
        Peer ada = t.enter("Ada", meeting);
        ada.ws().send("{\"v\":1,\"type\":\"offer\",\"pc\":\"publisher\",\"sdp\":\"reject me\",\"request_id\":\"o1\"}");
        JsonNode error = ada.ws().awaitError("bad_sdp");
        assertThat(error.get("request_id").asText()).isEqualTo("o1");
        assertThat(error.get("message").asText()).contains("fingerprint");
        ada.ws().send("{\"v\":1,\"type\":\"answer\",\"pc\":\"subscriber\",\"sdp\":\"reject\",\"request_id\":\"a1\"}");
        assertThat(ada.ws().awaitError("bad_sdp").get("request_id").asText()).isEqualTo("a1");
        ada.ws().send("{\"v\":1,\"type\":\"offer\",\"pc\":\"subscriber\",\"sdp\":\"v=0\"}");
        ada.ws().awaitError("malformed_message");
        ada.ws().assertAlive("p");
    }

    @Test
    void subscriberOfferDuringJoinArrivesAfterJoined() {
        newMeeting(5);
        Peer ada = t.connect("Ada", meeting);
        ada.ws().send(JOIN);
        ada.ws().awaitType("joined");
        t.sfu.session(ada.participantId()).offerToSubscriber("v=0\r\n", List.of());
        assertThat(ada.ws().awaitType("offer").get("tracks")).isEmpty();
    }

    @Test
    void closingTheSocketCleansUpOnce() {
        newMeeting(5);
        Peer ada = t.enter("Ada", meeting);
        Peer grace = t.enter("Grace", meeting);
        grace.ws().closeGracefully();
        assertThat(ada.ws().awaitType("participant-left").get("participant_id").asText()).isEqualTo(grace.participantId());
        await().atMost(Duration.ofSeconds(5)).until(() -> t.stores.seats().occupancy(meetingId()) == 1);
        assertThat(t.sfu.session(grace.participantId()).closed).isTrue();
        ada.ws().assertAlive("after");
        assertThat(ada.ws().hasType("participant-left")).isFalse();
    }

    @Test
    void heartbeatTimeoutRemovesTheParticipantAndReleasesTheSeat() {
        t.close();
        // 2 s, not less: Ada's pings come from the test's poll thread, which a loaded CI machine can
        // starve for most of a second (a 600 ms timeout once closed Ada too).
        t = new TestServer(c -> c.withHeartbeatTimeout(Duration.ofMillis(2_000)), Clock.systemUTC());
        newMeeting(5);
        Peer ada = t.enter("Ada", meeting);
        Peer silent = t.enter("Silent", meeting);
        ada.ws().awaitType("participant-joined");
        // Ada keeps talking; Silent does not.
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() -> {
            ada.ws().send("{\"v\":1,\"type\":\"ping\"}");
            return silent.ws().isClosed();
        });
        assertThat(silent.ws().awaitClose()).isEqualTo(4408);
        assertThat(ada.ws().awaitType("participant-left").get("participant_id").asText()).isEqualTo(silent.participantId());
        assertThat(t.stores.seats().holds(meetingId(), silent.participantId())).isFalse();
        assertThat(t.stores.seats().holds(meetingId(), ada.participantId())).isTrue();
        assertThat(t.stores.participants().find(meetingId(), silent.participantId()).flatMap(Participant::left)).isPresent();
        assertThat(ada.ws().isClosed()).isFalse();
    }

    @Test
    void aSecondSocketOfTheSameParticipantReplacesTheFirst() {
        newMeeting(5);
        TestServer.Response join = t.join(t.guestToken("Ada"), meeting);
        String token = join.body().get("token").asText();
        WsTestClient first = t.open(token);
        first.send(JOIN);
        first.awaitType("joined");
        WsTestClient second = t.open(token);
        assertThat(first.awaitClose()).isEqualTo(4409);
        second.send(JOIN);
        second.awaitType("joined");
        second.assertAlive("p");
        assertThat(t.stores.seats().occupancy(meetingId())).isEqualTo(1);
        assertThat(t.stores.participants().present(meetingId())).hasSize(1);
    }

    @Test
    void leaveBeforeJoinReleasesTheSeat() {
        newMeeting(1);
        Peer ada = t.connect("Ada", meeting);
        ada.ws().send("{\"v\":1,\"type\":\"leave\"}");
        assertThat(ada.ws().awaitClose()).isEqualTo(1000);
        assertThat(t.stores.seats().occupancy(meetingId())).isZero();
        assertThat(t.join(host, meeting).status()).isEqualTo(200);
    }

    @Test
    void aTokenWhoseSeatIsGoneCannotReopen() {
        newMeeting(5);
        String token = t.join(t.guestToken("Ada"), meeting).body().get("token").asText();
        WsTestClient first = t.open(token);
        first.send("{\"v\":1,\"type\":\"leave\"}");
        assertThat(first.awaitClose()).isEqualTo(1000);
        assertThat(t.open(token).awaitClose()).isEqualTo(4401);
    }
}
