package dev.convene.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.convene.client.ConveneClient;
import dev.convene.client.MediaTransportClient;
import dev.convene.media.core.rtcp.RtcpReceiverReport;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Clients that negotiate as Pion 3.1 bots do, against a real all-in-one server over UDP on
 * loopback: one whose publisher offer and subscriber answer say {@code a=setup:passive} (the SFU
 * must be the DTLS client on both), and one that stops ICE consent checks once media flows (its
 * authenticated SRTP/SRTCP keeps consent, through three consent timeouts).
 * Every answer is acknowledged.
 */
@Timeout(180)
class JavaClientNegotiationTest {

    private static final Duration MEDIA_TIMEOUT = Duration.ofSeconds(20);
    /**
     * Shorter than the 30 s default so that three whole timeouts pass in 45 s instead of 90 s; long
     * enough that the consent-less client's 1,000 packets each way (30 a second) arrive within them.
     */
    private static final Duration CONSENT_TIMEOUT = Duration.ofSeconds(15);

    private JavaClientFixture fixture;
    private final ScheduledExecutorService reports = Executors.newSingleThreadScheduledExecutor();

    @BeforeEach
    void startServer() throws InterruptedException {
        fixture = new JavaClientFixture(ServerOptions.forTests().withConsentTimeout(CONSENT_TIMEOUT));
    }

    @AfterEach
    void close() {
        reports.shutdownNow();
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void aClientSayingPassiveSendsAndReceivesMediaWithTheSfuAsDtlsClientAndEveryAnswerIsAcknowledged() throws Exception {
        ConveneClient ada = fixture.join("Ada");
        ConveneClient pion = fixture.join("Pion", ConveneClient.Options.defaults().withPassiveDtls());
        ada.publish();
        pion.publish();

        await().atMost(MEDIA_TIMEOUT).untilAsserted(() -> {
            for (String kind : List.of("audio", "video")) {
                assertThat(pion.received(ada.participantId(), kind).packets()).as("%s at the passive subscriber", kind)
                        .isGreaterThan(20);
                assertThat(ada.received(pion.participantId(), kind).packets()).as("%s from the passive one", kind)
                        .isGreaterThan(20);
            }
            assertThat(pion.received(ada.participantId(), "video").keyframes()).isPositive();
        });
        MediaTransportClient subscriber = pion.subscriberTransport().orElseThrow();
        assertThat(subscriber.stats().unprotectFailures()).isZero();
        assertThat(pion.frames("offer")).isNotEmpty().allSatisfy(offer ->
                assertThat(offer.path("sdp").asText()).contains("a=setup:actpass"));
        assertThat(pion.frames("answer")).singleElement().satisfies(answer ->
                assertThat(answer.path("sdp").asText()).contains("a=setup:active").doesNotContain("a=setup:passive"));
        assertThat(pion.publisherTransport().orElseThrow().stats().unprotectFailures()).isZero();

        for (ConveneClient c : List.of(ada, pion)) {
            List<CompletableFuture<ObjectNode>> replies = c.subscriberAnswerReplies();
            assertThat(replies).as("answers of %s", c.displayName()).hasSize(c.frames("offer").size());
            List<String> sentIds = c.frames().stream()
                    .filter(f -> f.path("type").asText().equals("ack")).map(f -> f.path("request_id").asText()).toList();
            for (CompletableFuture<ObjectNode> reply : replies) {
                ObjectNode ack = reply.get(5, TimeUnit.SECONDS);
                assertThat(ack.path("type").asText()).isEqualTo("ack");
                assertThat(ack.path("of").asText()).isEqualTo("answer");
                assertThat(sentIds).contains(ack.path("request_id").asText());
            }
        }
        assertThat(fixture.server.sfu().participantCount()).isEqualTo(2);
    }

    @Test
    void aClientThatSendsMediaButNoConsentChecksStaysForThreeConsentTimeoutsWhileASilentOneIsDropped() {
        ConveneClient ada = fixture.join("Ada");
        ConveneClient pion = fixture.join("Pion", ConveneClient.Options.defaults().withoutConsentChecks());
        // Receives but sends nothing at all once connected: no checks, no media, no reports.
        ConveneClient silent = fixture.join("Silent", new ConveneClient.Options(Duration.ofSeconds(10), 0, false, false,
                false, false, false, java.util.function.UnaryOperator.identity(), java.util.function.UnaryOperator.identity(),
                false));
        ada.publish();
        pion.publish();
        await().atMost(MEDIA_TIMEOUT).untilAsserted(() -> {
            for (ConveneClient receiver : List.of(pion, silent)) {
                assertThat(receiver.received(ada.participantId(), "video").packets()).isGreaterThan(20);
            }
            assertThat(ada.received(pion.participantId(), "video").packets()).isGreaterThan(20);
        });
        // As Pion's report interceptor: an RTCP receiver report on the subscriber connection every second.
        MediaTransportClient pionSubscriber = pion.subscriberTransport().orElseThrow();
        byte[] rr = new byte[RtcpReceiverReport.length(0)];
        RtcpReceiverReport.write(rr, 0, 0x5EED);
        reports.scheduleAtFixedRate(() -> pionSubscriber.sendRtcp(rr, 0, rr.length), 0, 1, TimeUnit.SECONDS);

        long before = pion.received(ada.participantId(), "video").packets();
        long beforeUp = ada.received(pion.participantId(), "video").packets();
        // Three consent timeouts: the Pion-like client is in the meeting all along.
        Duration threeTimeouts = CONSENT_TIMEOUT.multipliedBy(3);
        await().during(threeTimeouts).atMost(threeTimeouts.plusSeconds(10)).pollInterval(Duration.ofSeconds(1))
                .until(() -> pion.frames("error").isEmpty() && ada.participants().containsKey(pion.participantId())
                        && fixture.server.sfu().participantCount() >= 2);

        assertThat(pion.received(ada.participantId(), "video").packets()).isGreaterThan(before + 1000);
        assertThat(ada.received(pion.participantId(), "video").packets()).isGreaterThan(beforeUp + 1000);
        assertThat(ada.participants()).containsKey(pion.participantId());
        // The consent timeout was in force: the silent one is gone for the SFU and for the others.
        assertThat(fixture.server.sfu().participantCount()).isEqualTo(2);
        assertThat(ada.participants()).doesNotContainKey(silent.participantId());
    }
}
