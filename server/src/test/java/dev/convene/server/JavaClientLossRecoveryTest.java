package dev.convene.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.convene.client.ConveneClient;
import dev.convene.client.LossRecoveryStats;
import dev.convene.client.RemoteTrack;
import dev.convene.client.StreamCompleteness;
import dev.convene.server.impair.UdpImpairer;
import dev.convene.server.impair.UdpImpairer.Impairment;
import dev.convene.sfu.net.MediaCounters;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loss recovery end to end with Java clients on loopback. A seeded lossy relay sits on Ada's
 * publisher uplink (5 % loss, 20 ms each way) and another on Grace's subscriber downlink (5 %
 * loss, 20 ms each way); Linus has a clean path. The SFU NACKs Ada and restores her RTX before
 * forwarding; it answers Grace's NACKs with RTX from its cache. Each receiver's video must come
 * out nearly whole (< 0.5 % of sequence numbers never arrive), with NACK and RTX counters
 * non-zero on both ends and no packet retransmitted by the SFU more than twice; and while a
 * subscriber asks for Ada's key frames 20 times a second, no more than two a second reach her.
 */
@Timeout(120)
class JavaClientLossRecoveryTest {

    private static final Logger log = LoggerFactory.getLogger(JavaClientLossRecoveryTest.class);
    private static final double LOSS = 0.05;
    private static final Duration ONE_WAY = Duration.ofMillis(20);
    private static final Duration WINDOW = Duration.ofSeconds(10);
    /** Sequence numbers at the end of a stream that may still be being repaired: ~0.5 s of video. */
    private static final int STILL_IN_FLIGHT = 16;

    private JavaClientFixture fixture;
    private final List<UdpImpairer> relays = new ArrayList<>();

    @AfterEach
    void close() {
        relays.forEach(UdpImpairer::close);
        if (fixture != null) {
            fixture.close();
        }
    }

    /** A route through a new relay, started when the client learns the SFU's address. */
    private UnaryOperator<InetSocketAddress> via(AtomicReference<UdpImpairer> slot, Impairment up, Impairment down,
            long seed) {
        return sfu -> {
            UdpImpairer relay = UdpImpairer.start(sfu, up, down, seed);
            relays.add(relay);
            slot.set(relay);
            return relay.address();
        };
    }

    @Test
    void lossOnAPublishersUplinkAndASubscribersDownlinkIsRepaired() throws InterruptedException {
        fixture = new JavaClientFixture();
        AtomicReference<UdpImpairer> adaUplink = new AtomicReference<>();
        AtomicReference<UdpImpairer> graceDownlink = new AtomicReference<>();
        Impairment delay = Impairment.none().withDelay(ONE_WAY);
        ConveneClient ada = fixture.join("Ada", ConveneClient.Options.defaults()
                .withPublisherRoute(via(adaUplink, delay.withLoss(LOSS), delay, 13)));
        ConveneClient grace = fixture.join("Grace", ConveneClient.Options.defaults()
                .withSubscriberRoute(via(graceDownlink, delay, delay.withLoss(LOSS), 17)));
        ConveneClient linus = fixture.join("Linus");
        List<ConveneClient> clients = List.of(ada, grace, linus);
        for (ConveneClient c : clients) {
            c.publish();
        }
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            for (ConveneClient receiver : clients) {
                for (ConveneClient sender : clients) {
                    if (sender != receiver) {
                        assertThat(receiver.received(sender.participantId(), "video").packets())
                                .as("video from %s at %s", sender.displayName(), receiver.displayName()).isGreaterThan(30);
                    }
                }
            }
        });

        long adaRequestsBefore = ada.mediaSource().orElseThrow().keyframeRequestsReceived();
        long start = System.nanoTime();
        // Media flows through the lossy relays for the window, while Linus asks for a key frame
        // of Ada's video every 50 ms (as a subscriber with a broken decoder might).
        long adaVideoAtLinus = ssrcOf(linus, ada);
        await().pollInterval(Duration.ofMillis(50)).atMost(WINDOW.plusSeconds(10)).until(() -> {
            linus.subscriberTransport().orElseThrow().sendPli(adaVideoAtLinus);
            return System.nanoTime() - start >= WINDOW.toNanos()
                    && adaUplink.get().uplink().dropped() > 10 && graceDownlink.get().downlink().dropped() > 10;
        });
        double seconds = (System.nanoTime() - start) / 1e9;
        long adaRequests = ada.mediaSource().orElseThrow().keyframeRequestsReceived() - adaRequestsBefore;

        MediaCounters sfu = fixture.server.sfu().counters();
        Map<String, Long> stages = fixture.server.sfu().stageCounters();
        LossRecoveryStats adaPublisher = ada.publisherTransport().orElseThrow().lossRecoveryStats();
        LossRecoveryStats graceSubscriber = grace.subscriberTransport().orElseThrow().lossRecoveryStats();
        StreamCompleteness adaAtGrace = grace.subscriberTransport().orElseThrow()
                .completeness(ssrcOf(grace, ada), STILL_IN_FLIGHT);
        log.info("event=loss_recovery_measured seconds={} ada_uplink_dropped={} grace_downlink_dropped={} "
                + "sfu_nacks_out={} sfu_rtx_in={} sfu_nacks_in={} sfu_rtx_out={} sfu_rtx_not_sent={} ada={} grace={} "
                + "ada_video_at_grace={} ada_keyframe_requests_per_s={} stages={}",
                String.format("%.1f", seconds), adaUplink.get().uplink().dropped(), graceDownlink.get().downlink().dropped(),
                sfu.nacksOut.sum(), sfu.rtxIn.sum(), sfu.nacksIn.sum(), sfu.rtxOut.sum(), sfu.rtxNotSent.sum(),
                adaPublisher, graceSubscriber, adaAtGrace, String.format("%.2f", adaRequests / seconds), stages);

        assertThat(sfu.nacksOut.sum()).as("NACKs from the SFU to publishers").isPositive();
        assertThat(sfu.rtxIn.sum()).as("RTX from publishers").isPositive();
        assertThat(sfu.nacksIn.sum()).as("NACKs from subscribers").isPositive();
        assertThat(sfu.rtxOut.sum()).as("RTX to subscribers").isPositive();
        assertThat(stages).as("per-stage counters").hasEntrySatisfying("inbound.rtx_decoder.decoded", v -> assertThat(v).isPositive())
                .hasEntrySatisfying("inbound.nack_generator.requested", v -> assertThat(v).isPositive())
                .hasEntrySatisfying("inbound.keyframes.requests_suppressed", v -> assertThat(v).isPositive())
                .hasEntrySatisfying("outbound.retransmitter.rtx_sent", v -> assertThat(v).isPositive())
                // The legs kept heads of the layer's received packets (ADR 0038) and the gaps still filled.
                .hasEntrySatisfying("outbound.retransmission_buffer.shared_tails", v -> assertThat(v).isPositive())
                .containsKeys("outbound.retransmitter.suppressed_per_packet", "outbound.retransmitter.suppressed_rtt",
                        "outbound.retransmitter.suppressed_budget", "outbound.retransmission_buffer.evicted_by_count");

        assertThat(adaPublisher.nacksReceived()).isPositive();
        assertThat(adaPublisher.rtxSent()).isPositive();
        assertThat(adaPublisher.maxRtxOfOnePacket()).as("Ada's own cap per packet").isLessThanOrEqualTo(3);
        assertThat(graceSubscriber.nacksSent()).isPositive();
        assertThat(graceSubscriber.rtxReceived()).isPositive();
        assertThat(adaAtGrace.rtxReceived()).as("Grace's gaps were filled by RTX").isPositive();

        for (ConveneClient receiver : clients) {
            for (RemoteTrack track : receiver.remoteTracks().values()) {
                if (!track.kind().equals("video")) {
                    continue;
                }
                StreamCompleteness c = receiver.subscriberTransport().orElseThrow()
                        .completeness(track.ssrc(), STILL_IN_FLIGHT);
                String what = "video of " + track.participantId() + " at " + receiver.displayName() + ": " + c;
                assertThat(c.expected()).as(what).isGreaterThan(200);
                assertThat(c.missingRatio()).as(what).isLessThan(0.005);
                assertThat(c.maxRtxOfOnePacket()).as("the SFU retransmits a packet at most twice: " + what)
                        .isLessThanOrEqualTo(2);
            }
        }
        assertThat(adaRequests / seconds).as("keyframe requests reaching Ada per second, asked for 20 times a second")
                .isLessThanOrEqualTo(2.0).isGreaterThanOrEqualTo(1.0);
    }

    private static long ssrcOf(ConveneClient receiver, ConveneClient sender) {
        return receiver.remoteTracks().values().stream()
                .filter(t -> t.kind().equals("video") && t.participantId().equals(sender.participantId()))
                .mapToLong(RemoteTrack::ssrc).findFirst().orElseThrow();
    }
}
