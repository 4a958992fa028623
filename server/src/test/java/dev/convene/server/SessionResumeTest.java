package dev.convene.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.convene.client.ConveneClient;
import dev.convene.client.JoinGrant;
import dev.convene.client.MeetingInfo;
import dev.convene.client.SignalingException;
import dev.convene.client.SignalingSession;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Sessions outlive sockets in the all-in-one role (ADR 0017), with real Java clients over real
 * UDP: a client whose socket drops resumes with its id, tracks and media; one that does not come
 * back is gone for everyone after the grace; resume tokens that are forged, too late or for
 * another participant are refused with their documented codes, and change nothing.
 */
@Timeout(90)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SessionResumeTest {

    private static final Duration GRACE = Duration.ofSeconds(3);

    private JavaClientFixture fixture;
    private ConveneClient ada;
    private ConveneClient grace;

    /** One server and meeting for all cases (each leaves it as it found it): the cases are cheap. */
    @BeforeAll
    void twoClientsPublish() throws InterruptedException {
        fixture = new JavaClientFixture(ServerOptions.forTests().withResumeGrace(GRACE));
        ada = fixture.join("Ada");
        grace = fixture.join("Grace");
        ada.publish();
        grace.publish();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(grace.received(ada.participantId(), "audio").packets()).isGreaterThan(20);
            assertThat(ada.received(grace.participantId(), "audio").packets()).isGreaterThan(20);
        });
    }

    @AfterAll
    void close() {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void aDroppedSocketResumesWithItsIdTracksAndMediaAndNobodySeesALeave() {
        String adaId = ada.participantId();
        int resumesBefore = ada.resumeCount();
        ada.signaling().abort();
        await().atMost(Duration.ofSeconds(3)).until(() -> ada.resumeCount() == resumesBefore + 1);
        assertThat(ada.connectionState()).isEqualTo(ConveneClient.ConnectionState.CONNECTED);
        assertThat(ada.participantId()).isEqualTo(adaId);
        ObjectNode resumed = ada.frames("resumed").getLast();
        assertThat(resumed.path("participant_id").asText()).isEqualTo(adaId);
        assertThat(resumed.path("tracks")).hasSize(2);
        assertThat(resumed.path("participants").findValues("participant_id")).extracting(n -> n.asText())
                .contains(grace.participantId()).doesNotContain(adaId);

        // Media both ways never depended on the socket; it keeps rising.
        long seenByGrace = grace.received(adaId, "audio").packets();
        long seenByAda = ada.received(grace.participantId(), "audio").packets();
        await().atMost(Duration.ofSeconds(3)).untilAsserted(() -> {
            assertThat(grace.received(adaId, "audio").packets()).isGreaterThan(seenByGrace + 20);
            assertThat(ada.received(grace.participantId(), "audio").packets()).isGreaterThan(seenByAda + 20);
        });
        // The resumed socket is a full one: chat both ways, and Ada's own tracks are hers to mute.
        ada.sendChat("back again");
        await().atMost(Duration.ofSeconds(5)).until(() ->
                grace.chatMessages().stream().anyMatch(m -> m.text().equals("back again")));
        ada.signaling().request(ada.signaling().newFrame("mute")
                .put("track_id", resumed.path("tracks").get(0).path("track_id").asText()).put("muted", true))
                .orTimeout(5, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(5)).until(() -> !grace.frames("track-muted").isEmpty());
        ada.signaling().request(ada.signaling().newFrame("mute")
                .put("track_id", resumed.path("tracks").get(0).path("track_id").asText()).put("muted", false))
                .orTimeout(5, TimeUnit.SECONDS);

        // Well past the grace: still nobody left.
        await().pollDelay(GRACE.plusSeconds(1)).atMost(GRACE.plusSeconds(3)).until(() -> true);
        assertThat(leftIds(grace)).doesNotContain(adaId);
        assertThat(grace.participants()).containsKey(adaId);
        assertThat(fixture.server.stores().seats().occupancy(UUID.fromString(fixture.meeting.meetingId()))).isEqualTo(2);
    }

    @Test
    void aClientThatDoesNotComeBackLeavesOnceAfterTheGraceAndItsSeatIsFree() {
        ConveneClient linus = fixture.join("Linus", ConveneClient.Options.defaults().withoutResume());
        String linusId = linus.participantId();
        String token = linus.joinedFrame().path("resume_token").asText();
        UUID meeting = UUID.fromString(fixture.meeting.meetingId());
        assertThat(fixture.server.stores().seats().occupancy(meeting)).isEqualTo(3);

        long lost = System.nanoTime();
        linus.signaling().abort();
        // Within the grace Linus is still in the meeting for everyone.
        await().pollDelay(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(2)).until(() -> true);
        assertThat(leftIds(grace)).doesNotContain(linusId);

        await().atMost(GRACE.plusSeconds(5)).until(() -> leftIds(grace).contains(linusId));
        long leftAfterMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lost);
        assertThat(leftAfterMillis).as("participant-left after the grace").isGreaterThanOrEqualTo(GRACE.toMillis() - 100);
        await().atMost(Duration.ofSeconds(2)).until(() -> leftIds(ada).contains(linusId));
        assertThat(fixture.server.stores().seats().occupancy(meeting)).isEqualTo(2);

        // Too late now: the documented refusal, and exactly one leave was ever announced.
        assertRefused(token, "resume_expired");
        await().pollDelay(Duration.ofMillis(500)).atMost(Duration.ofSeconds(1)).until(() -> true);
        assertThat(leftIds(grace)).containsOnlyOnce(linusId);
        assertThat(leftIds(ada)).containsOnlyOnce(linusId);
        assertThat(leftIds(grace)).doesNotContain(ada.participantId());
    }

    @Test
    void aResumeWhileTheOldSocketIsStillOpenTakesItsPlaceOnTheSameNode() throws Exception {
        ConveneClient kay = fixture.join("Kay", ConveneClient.Options.defaults().withoutResume());
        kay.publish();
        String kayId = kay.participantId();
        await().atMost(Duration.ofSeconds(20)).until(() -> grace.received(kayId, "audio").packets() > 20);
        SignalingSession fresh = SignalingSession.open(kay.grant().signalingUrl(), frame -> { }, Duration.ofSeconds(5));
        try {
            ObjectNode resumed = fresh.request(fresh.newFrame("resume")
                    .put("token", kay.joinedFrame().path("resume_token").asText())).get(10, TimeUnit.SECONDS);
            assertThat(resumed.path("participant_id").asText()).isEqualTo(kayId);
            assertThat(resumed.path("tracks")).hasSize(2);
            assertThat(kay.signaling().closeFuture().get(5, TimeUnit.SECONDS).code()).isEqualTo(4409);
            long before = grace.received(kayId, "audio").packets();
            await().atMost(Duration.ofSeconds(3)).until(() -> grace.received(kayId, "audio").packets() > before + 20);
            assertThat(leftIds(grace)).doesNotContain(kayId);
            fresh.send(fresh.newFrame("leave"));
            await().atMost(Duration.ofSeconds(3)).until(() -> leftIds(grace).contains(kayId));
        } finally {
            fresh.close();
        }
    }

    @Test
    void forgedAndForeignResumeTokensAreRefusedAndChangeNothing() {
        String token = ada.joinedFrame().path("resume_token").asText();
        String forged = token.substring(0, token.length() - 2) + (token.endsWith("A") ? "BB" : "AA");
        assertRefused(forged, "invalid_resume_token");
        assertRefused("not-a-token", "invalid_resume_token");
        // A socket opened with a join token of another meeting may not become Ada; it can still join its own.
        String mallory = fixture.api.guestToken("Mallory").accessToken();
        MeetingInfo elsewhere = fixture.api.createMeeting(mallory, "another meeting");
        JoinGrant grant = fixture.api.join(mallory, elsewhere.meetingId(), "Mallory");
        SignalingSession other = SignalingSession.open(grant.socketUri(), frame -> { }, Duration.ofSeconds(5));
        try {
            assertThatThrownBy(() -> other.request(other.newFrame("resume").put("token", token)).get(5, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(SignalingException.class)
                    .cause().extracting(e -> ((SignalingException) e).code()).isEqualTo("invalid_resume_token");
            ObjectNode joined = other.request(other.newFrame("join")).get(5, TimeUnit.SECONDS);
            assertThat(joined.path("meeting_id").asText()).isEqualTo(elsewhere.meetingId());
            assertThat(joined.path("participant_id").asText()).isEqualTo(grant.participantId());
        } catch (Exception e) {
            throw new AssertionError(e);
        } finally {
            other.close();
        }

        // Nothing changed: Ada's socket, seat and media go on, and nobody saw her leave.
        assertThat(ada.signaling().isOpen()).isTrue();
        assertThat(ada.frames("error")).as("Ada's own socket heard nothing of it").isEmpty();
        long before = grace.received(ada.participantId(), "audio").packets();
        await().atMost(Duration.ofSeconds(3)).until(() -> grace.received(ada.participantId(), "audio").packets() > before + 20);
        assertThat(leftIds(grace)).doesNotContain(ada.participantId());
        ada.sendChat("still here");
    }

    private void assertRefused(String token, String code) {
        SignalingSession raw = SignalingSession.open(ada.grant().signalingUrl(), frame -> { }, Duration.ofSeconds(5));
        try {
            assertThatThrownBy(() -> raw.request(raw.newFrame("resume").put("token", token)).get(5, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(SignalingException.class)
                    .cause().extracting(e -> ((SignalingException) e).code()).isEqualTo(code);
        } finally {
            raw.close();
        }
    }

    private static List<String> leftIds(ConveneClient c) {
        return c.frames("participant-left").stream().map(f -> f.path("participant_id").asText()).toList();
    }
}
