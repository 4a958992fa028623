package dev.convene.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.convene.client.ConveneClient;
import dev.convene.client.ReceivedStream;
import dev.convene.client.RemoteTrack;
import dev.convene.client.WhipClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * WHIP and WHEP (ADR 0025) against an all-in-one server on loopback: the Java client speaking
 * WHIP publishes into a meeting whose participant receives it; a WHEP player receives a
 * participant's stream under its own payload types; bad requests are refused with their codes and
 * leave no seat behind.
 */
class WhipTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(15);
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();
    private JavaClientFixture fixture;
    private String base;

    @BeforeEach
    void start() throws Exception {
        fixture = new JavaClientFixture();
        base = "http://127.0.0.1:" + fixture.server.httpPort();
    }

    @AfterEach
    void stop() {
        if (fixture != null) {
            fixture.close();
        }
    }

    private URI whip(String meetingId) {
        return URI.create(base + "/v1/meetings/" + meetingId + "/whip");
    }

    @Test
    void aWhipPublisherIsAParticipantWithANameWhoseAudioAndVideoArrive() throws Exception {
        ConveneClient ada = fixture.join("Ada");
        String obs = fixture.api.guestToken("OBS studio").accessToken();
        try (WhipClient publisher = WhipClient.publish(http, whip(fixture.meeting.meetingId()), obs, TIMEOUT)) {
            assertThat(publisher.resource().getPath()).startsWith("/v1/meetings/" + fixture.meeting.meetingId() + "/whip/MS_");
            assertThat(publisher.etag()).startsWith("\"");
            // One bundled answer for both sendonly m-lines, received by the SFU.
            assertThat(publisher.answer().toString()).contains("a=group:BUNDLE 0 1", "a=recvonly");

            await("Ada hears of the WHIP participant").atMost(TIMEOUT).until(() ->
                    ada.frames("participant-joined").stream().anyMatch(f ->
                            f.path("participant").path("display_name").asText().equals("OBS studio")));
            String whipId = ada.frames("participant-joined").stream()
                    .filter(f -> f.path("participant").path("display_name").asText().equals("OBS studio"))
                    .findFirst().orElseThrow().path("participant").path("participant_id").asText();
            await("Ada receives its audio and video").atMost(TIMEOUT).untilAsserted(() -> {
                assertThat(ada.remoteTracks().values()).extracting(RemoteTrack::participantId).contains(whipId);
                ReceivedStream video = ada.received(whipId, "video");
                assertThat(video.packets()).isGreaterThan(30);
                assertThat(video.keyframes()).isGreaterThan(0);
                assertThat(video.lastKeyframeWidth()).isEqualTo(640);
                assertThat(ada.received(whipId, "audio").packets()).isGreaterThan(20);
            });
            assertThat(fixture.api.getMeeting(obs, fixture.meeting.meetingId()).participantCount()).isEqualTo(2);
            // The publisher receives nothing: no subscriber transport to keep alive for it.
            assertThat(fixture.server.signaling().mediaSessions()).isEqualTo(1);

            assertThat(publisher.delete()).isEqualTo(200);
            await("Ada hears it leave").atMost(TIMEOUT).until(() -> ada.frames("participant-left").stream()
                    .anyMatch(f -> f.path("participant_id").asText().equals(whipId)));
            assertThat(fixture.server.signaling().mediaSessions()).isZero();
            assertThat(fixture.api.getMeeting(obs, fixture.meeting.meetingId()).participantCount()).isEqualTo(1);
            assertThat(publisher.delete()).as("a session deleted twice").isEqualTo(404);
        }
    }

    @Test
    void aWhepPlayerReceivesAParticipantsStreamUnderItsOwnPayloadTypes() throws Exception {
        ConveneClient ada = fixture.join("Ada");
        ada.publish();
        String viewer = fixture.api.guestToken("Viewer").accessToken();
        URI endpoint = URI.create(base + "/v1/meetings/" + fixture.meeting.meetingId() + "/whep/participants/"
                + ada.participantId());
        try (WhipClient player = WhipClient.play(http, endpoint, viewer, TIMEOUT)) {
            long videoSsrc = player.announcedSsrc("1");
            long audioSsrc = player.announcedSsrc("0");
            assertThat(videoSsrc).isPositive();
            assertThat(audioSsrc).isPositive();
            assertThat(player.answer().toString()).contains("a=sendonly", "a=rtpmap:100 VP8/90000",
                    "a=rtpmap:109 opus/48000/2", "a=fmtp:101 apt=100", "a=msid:" + ada.participantId() + " ");
            await("the player receives Ada's video and audio").atMost(TIMEOUT).untilAsserted(() -> {
                ReceivedStream video = player.transport().receivedStream(videoSsrc);
                assertThat(video.packets()).isGreaterThan(30);
                assertThat(video.payloadType()).isEqualTo(WhipClient.PLAYER_VP8_PAYLOAD_TYPE);
                assertThat(video.keyframes()).isGreaterThan(0);
                ReceivedStream audio = player.transport().receivedStream(audioSsrc);
                assertThat(audio.packets()).isGreaterThan(20);
                assertThat(audio.payloadType()).isEqualTo(WhipClient.PLAYER_OPUS_PAYLOAD_TYPE);
            });
            await("Ada sees the viewer in the meeting").atMost(TIMEOUT).until(() ->
                    ada.frames("participant-joined").stream().anyMatch(f ->
                            f.path("participant").path("display_name").asText().equals("Viewer")));
            assertThat(player.delete()).isEqualTo(200);
        }
        // Without a named participant, the first publisher plays.
        try (WhipClient player = WhipClient.play(http,
                URI.create(base + "/v1/meetings/" + fixture.meeting.meetingId() + "/whep"), viewer, TIMEOUT)) {
            assertThat(player.answer().toString()).contains("a=msid:" + ada.participantId() + " ");
            assertThat(player.delete()).isEqualTo(200);
        }
    }

    @Test
    void badRequestsAreRefusedWithTheirCodesAndLeakNoSeat() throws Exception {
        String host = fixture.api.guestToken("Host").accessToken();
        String meetingId = createMeeting(host, 1);
        String offer = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n";

        assertProblem(post(whip(meetingId), host, "application/json", "{}"), 415, "unsupported_media_type");
        assertProblem(post(whip(meetingId), null, "application/sdp", offer), 401, "unauthorized");
        assertProblem(post(whip(meetingId), "not-a-token", "application/sdp", offer), 401, "unauthorized");
        for (String bad : new String[] {"", "garbage", offer, offer + "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\n"}) {
            assertProblem(post(whip(meetingId), host, "application/sdp", bad), 400, "bad_sdp");
        }
        assertProblem(post(URI.create(base + "/v1/meetings/" + meetingId + "/whep"), host, "application/sdp",
                "garbage"), 409, "nothing_to_play");
        assertProblem(post(URI.create(base + "/v1/meetings/" + meetingId + "/whep/participants/PA_nobody"), host,
                "application/sdp", "garbage"), 404, "participant_not_found");

        // The one seat is still free after every refusal: a WHIP session takes it, and the next finds the meeting full.
        try (WhipClient first = WhipClient.publish(http, whip(meetingId), host, TIMEOUT)) {
            String other = fixture.api.guestToken("Other").accessToken();
            assertThatThrownBy(() -> WhipClient.publish(http, whip(meetingId), other, TIMEOUT))
                    .isInstanceOfSatisfying(WhipClient.RefusedException.class, e -> {
                        assertThat(e.status()).isEqualTo(409);
                        assertThat(e.body()).contains("\"code\":\"meeting_full\"");
                    });

            // PATCH (RFC 9725 §4.3): trickle accepted and ignored, a stale ETag 412, an ICE restart 422.
            String fragment = "a=ice-ufrag:abcd\r\na=ice-pwd:0123456789012345678901\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\n"
                    + "a=mid:0\r\na=candidate:1 1 udp 2130706431 127.0.0.1 9999 typ host\r\n";
            assertThat(first.patch("application/trickle-ice-sdpfrag", fragment, first.etag())).isEqualTo(204);
            assertThat(first.patch("application/sdp", fragment, first.etag())).isEqualTo(415);
            assertThat(first.patch("application/trickle-ice-sdpfrag", fragment, "\"stale\"")).isEqualTo(412);
            assertThat(first.patch("application/trickle-ice-sdpfrag", fragment, "*")).isEqualTo(422);
            assertThat(first.delete()).isEqualTo(200);

            try (WhipClient again = WhipClient.publish(http, whip(meetingId), other, TIMEOUT)) {
                assertThat(fixture.server.signaling().mediaSessions()).as("the deleted session's seat was free again")
                        .isEqualTo(1);
                // The host ends the meeting: the session ends with it.
                HttpResponse<String> ended = http.send(HttpRequest.newBuilder(
                        URI.create(base + "/v1/meetings/" + meetingId + "/end")).header("Authorization", "Bearer " + host)
                        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(ended.statusCode()).as(ended.body()).isEqualTo(200);
                await("the session ends with the meeting").atMost(TIMEOUT)
                        .until(() -> fixture.server.signaling().mediaSessions() == 0);
                assertThat(again.delete()).isEqualTo(404);
            }
            assertProblem(post(whip(meetingId), other, "application/sdp", "garbage"), 409, "meeting_ended");
        }
        assertThat(fixture.server.signaling().mediaSessions()).isZero();
    }

    private String createMeeting(String token, int capacity) throws Exception {
        HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/meetings"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"title\":\"WHIP\",\"capacity\":" + capacity + "}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(created.statusCode()).isEqualTo(201);
        return json.readTree(created.body()).path("meeting_id").asText();
    }

    private HttpResponse<String> post(URI uri, String token, String contentType, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private void assertProblem(HttpResponse<String> answer, int status, String code) throws Exception {
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(status);
        assertThat(answer.headers().firstValue("Content-Type")).hasValueSatisfying(t ->
                assertThat(t).startsWith("application/problem+json"));
        JsonNode problem = json.readTree(answer.body());
        assertThat(problem.path("code").asText()).isEqualTo(code);
    }
}
