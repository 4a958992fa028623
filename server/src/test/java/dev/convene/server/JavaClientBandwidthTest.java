package dev.convene.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.convene.client.ConveneClient;
import dev.convene.client.MediaTransportClient;
import dev.convene.server.impair.UdpImpairer;
import dev.convene.server.impair.UdpImpairer.Impairment;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bandwidth estimation driving simulcast layers (ADR 0021), through the real server on loopback:
 * Ada publishes three VP8 layers; Bob's and Cleo's subscribers send transport-cc feedback. Bob's
 * downlink goes through a relay whose rate cap is set to {@link #CAP_BPS}: the SFU's estimate of
 * it falls, Bob moves to the low layer within 3 s while Cleo keeps the top one; the cap lifted,
 * probes raise the estimate and Bob is back on the top layer within 10 s.
 *
 * <p>The Java client's layers send about a quarter of Chrome's (≈50 / 190 / 720 kbit/s with
 * audio on top), so the cap that leaves room for the low layer only is 150 kbit/s here where it
 * is 300 kbit/s for Chrome's 720p simulcast (SimulcastBrowserTest).
 */
@Timeout(90)
class JavaClientBandwidthTest {

    private static final Logger log = LoggerFactory.getLogger(JavaClientBandwidthTest.class);
    private static final Duration SETUP = Duration.ofSeconds(20);
    static final long CAP_BPS = 150_000;

    private JavaClientFixture fixture;
    private UdpImpairer relay;

    @AfterEach
    void close() {
        if (relay != null) {
            relay.close();
        }
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void aCappedDownlinkMovesDownAtOnceAndBackUpWhenTheCapIsLifted() throws InterruptedException {
        fixture = new JavaClientFixture();
        AtomicReference<UdpImpairer> slot = new AtomicReference<>();
        ConveneClient ada = fixture.join("Ada", ConveneClient.Options.defaults().withSimulcast());
        ConveneClient bob = fixture.join("Bob", ConveneClient.Options.defaults().withSubscriberRoute(sfu -> {
            relay = UdpImpairer.start(sfu, Impairment.none(), Impairment.none(), 21);
            slot.set(relay);
            return relay.address();
        }));
        ConveneClient cleo = fixture.join("Cleo");
        ada.publish();
        await().atMost(SETUP).until(() -> bob.remoteTracks().values().stream()
                .anyMatch(t -> t.participantId().equals(ada.participantId()) && t.kind().equals("video")));
        MediaTransportClient bobDown = bob.subscriberTransport().orElseThrow();
        MediaTransportClient cleoDown = cleo.subscriberTransport().orElseThrow();

        await().atMost(SETUP).untilAsserted(() -> {
            assertThat(width(bob, ada)).as("Bob before the cap").isEqualTo(1280);
            assertThat(width(cleo, ada)).as("Cleo").isEqualTo(1280);
            assertThat(bobDown.downlinkEstimateBps()).as("the SFU's estimate reaches Bob").isPositive();
            assertThat(cleoDown.downlinkEstimateBps()).isPositive();
        });
        assertThat(bobDown.transportFeedbackSent()).isPositive();
        long before = bobDown.downlinkEstimateBps();

        slot.get().downlink().set(Impairment.none().withRate(CAP_BPS));
        long capped = System.nanoTime();
        await().pollInterval(Duration.ofMillis(50)).atMost(Duration.ofSeconds(3))
                .until(() -> width(bob, ada) == 320);
        long downMillis = (System.nanoTime() - capped) / 1_000_000;
        await().atMost(Duration.ofSeconds(3)).until(() -> bobDown.downlinkEstimateBps() <= CAP_BPS * 11 / 10);
        long cappedEstimate = bobDown.downlinkEstimateBps();
        assertThat(width(cleo, ada)).as("Cleo keeps the top layer").isEqualTo(1280);
        // Settled on the low layer: two seconds later it is still there, and Cleo too is where she was.
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3))
                .until(() -> width(bob, ada) == 320 && width(cleo, ada) == 1280);

        slot.get().downlink().set(Impairment.none());
        long lifted = System.nanoTime();
        await().pollInterval(Duration.ofMillis(50)).atMost(Duration.ofSeconds(10))
                .until(() -> width(bob, ada) == 1280);
        long upMillis = (System.nanoTime() - lifted) / 1_000_000;
        log.info("event=bandwidth_test estimate_before={} estimate_capped={} down_ms={} up_ms={} estimate_after={} "
                + "rate_dropped={} cleo_estimate={}", before, cappedEstimate, downMillis, upMillis,
                bobDown.downlinkEstimateBps(), slot.get().downlink().rateDropped(), cleoDown.downlinkEstimateBps());
        assertThat(width(cleo, ada)).isEqualTo(1280);
    }

    private static int width(ConveneClient subscriber, ConveneClient publisher) {
        return subscriber.received(publisher.participantId(), "video").lastKeyframeWidth();
    }

}
