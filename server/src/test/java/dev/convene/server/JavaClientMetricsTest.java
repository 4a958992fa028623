package dev.convene.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import dev.convene.client.ConveneClient;
import dev.convene.server.impair.UdpImpairer;
import dev.convene.server.impair.UdpImpairer.Impairment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Done-when 5 of issue 13: under a known impairment the node's {@code /metrics} reports the loss
 * ratio and the RTT that were imposed, and garbage shows up as a dropped-by-cause counter.
 *
 * <p>Ada publishes through a relay that drops 3 % of her uplink; Grace only subscribes, through
 * a relay that drops 3 % of her downlink and delays it by 50 ms (as {@code netem loss 3% delay
 * 50ms} on the SFU's side of her link would). Over a window of {@link #WINDOW} the counters'
 * increase must give 3 % ± 1 point upstream (from the SFU's receive statistics) and downstream
 * (from Grace's receiver reports, Ada's upstream losses left out), and the RTT summary a mean of
 * 50 ms ± 15 ms (from the LSR/DLSR of Grace's reports: the delay is on the way out only).
 */
@Timeout(150)
class JavaClientMetricsTest {

    private static final Logger log = LoggerFactory.getLogger(JavaClientMetricsTest.class);
    private static final double LOSS = 0.03;
    private static final Duration DELAY = Duration.ofMillis(50);
    private static final Duration WINDOW = Duration.ofSeconds(25);
    private static final int GARBAGE = 500;

    @Test
    void metricsReportTheImposedLossAndRttAndCountGarbage() throws Exception {
        try (JavaClientFixture fixture = new JavaClientFixture()) {
            InetSocketAddress sfu = new InetSocketAddress(InetAddress.getLoopbackAddress(), fixture.server.sfu().mediaPort());
            try (UdpImpairer adaLink = UdpImpairer.start(sfu, Impairment.none(), Impairment.none(), 1301);
                    UdpImpairer graceLink = UdpImpairer.start(sfu, Impairment.none(), Impairment.none(), 1302)) {
                // Without NACK/RTX, so what is lost stays lost and both ends see the network's loss.
                ConveneClient ada = fixture.join("Ada", ConveneClient.Options.defaults().withLossRecovery(false)
                        .withTimeout(Duration.ofSeconds(20)).withPublisherRoute(a -> adaLink.address()));
                ConveneClient grace = fixture.join("Grace", ConveneClient.Options.defaults().withLossRecovery(false)
                        .withTimeout(Duration.ofSeconds(20)).withSubscriberRoute(a -> graceLink.address()));
                ada.publish();
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> grace.received(ada.participantId(), "video").packets() > 50
                                && grace.received(ada.participantId(), "audio").packets() > 50);
                // Impaired from here on, so connecting is not part of what is measured.
                adaLink.uplink().set(Impairment.loss(LOSS));
                graceLink.downlink().set(Impairment.loss(LOSS).withDelay(DELAY));
                HttpClient http = HttpClient.newHttpClient();
                URI metricsUri = URI.create("http://127.0.0.1:" + fixture.server.httpPort() + "/metrics");
                // Let a report interval pass under the impairment, then measure over the window.
                await().pollDelay(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(4)).until(() -> true);
                Map<String, Double> before = scrape(http, metricsUri);
                long start = System.nanoTime();
                await().pollDelay(WINDOW).atMost(WINDOW.plusSeconds(1)).until(() -> true);
                Map<String, Double> after = scrape(http, metricsUri);
                double seconds = (System.nanoTime() - start) / 1e9;

                double upExpected = delta(before, after, "convene_sfu_rtp_expected_total{direction=\"upstream\"}");
                double upLost = delta(before, after, "convene_sfu_rtp_lost_total{direction=\"upstream\"}");
                double downExpected = delta(before, after, "convene_sfu_rtp_expected_total{direction=\"downstream\"}");
                double downLost = delta(before, after, "convene_sfu_rtp_lost_total{direction=\"downstream\"}");
                double rttCount = delta(before, after, "convene_sfu_rtt_seconds_count");
                double rttSum = delta(before, after, "convene_sfu_rtt_seconds_sum");
                double bytesIn = delta(before, after, "convene_sfu_bytes_total{direction=\"in\"}");
                double bytesOut = delta(before, after, "convene_sfu_bytes_total{direction=\"out\"}");
                log.info("event=metrics_under_impairment window_s={} upstream_expected={} upstream_loss={} "
                                + "downstream_expected={} downstream_loss={} rtt_samples={} rtt_mean_ms={} "
                                + "loss_gauge_up={} loss_gauge_down={} kbps_in={} kbps_out={} relay_up_dropped={} relay_down_dropped={}",
                        String.format("%.1f", seconds), upExpected, upLost / upExpected, downExpected, downLost / downExpected,
                        rttCount, 1000 * rttSum / rttCount,
                        after.get("convene_sfu_loss_ratio{direction=\"upstream\"}"),
                        after.get("convene_sfu_loss_ratio{direction=\"downstream\"}"),
                        Math.round(bytesIn * 8 / seconds / 1000), Math.round(bytesOut * 8 / seconds / 1000),
                        adaLink.uplink().dropped(), graceLink.downlink().dropped());

                assertThat(upExpected).as("upstream packets expected").isGreaterThan(1000);
                assertThat(upLost / upExpected).as("upstream loss ratio").isCloseTo(LOSS, within(0.01));
                assertThat(downExpected).as("downstream packets expected").isGreaterThan(1000);
                assertThat(downLost / downExpected).as("downstream loss ratio").isCloseTo(LOSS, within(0.01));
                assertThat(rttCount).as("RTT samples").isGreaterThan(10);
                assertThat(rttSum / rttCount).as("mean RTT, s").isCloseTo(DELAY.toMillis() / 1000.0, within(0.015));
                assertThat(after.get("convene_sfu_loss_ratio{direction=\"upstream\"}")).as("upstream loss gauge")
                        .isBetween(0.0, 0.1);
                assertThat(bytesIn).isPositive();
                assertThat(bytesOut).isPositive();
            }

            // Garbage from a socket no transport owns: counted as dropped, cause "unknown".
            Map<String, Double> beforeGarbage = scrape(HttpClient.newHttpClient(),
                    URI.create("http://127.0.0.1:" + fixture.server.httpPort() + "/metrics"));
            try (DatagramChannel attacker = DatagramChannel.open()) {
                attacker.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                Random random = new Random(13);
                for (int i = 0; i < GARBAGE; i++) {
                    byte[] d = new byte[1 + random.nextInt(200)];
                    random.nextBytes(d);
                    d[0] = (byte) (65 + random.nextInt(60)); // between the RFC 7983 classes
                    attacker.send(ByteBuffer.wrap(d), sfu);
                    if (i % 50 == 49) {
                        long target = i + 1;
                        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(5)).until(() ->
                                fixture.server.sfu().counters().droppedUnknown.sum()
                                        - beforeGarbage.getOrDefault("convene_sfu_datagrams_dropped_total{cause=\"unknown\"}", 0.0)
                                        >= target);
                    }
                }
            }
            Map<String, Double> afterGarbage = scrape(HttpClient.newHttpClient(),
                    URI.create("http://127.0.0.1:" + fixture.server.httpPort() + "/metrics"));
            assertThat(delta(beforeGarbage, afterGarbage, "convene_sfu_datagrams_dropped_total{cause=\"unknown\"}"))
                    .as("garbage counted by cause").isGreaterThanOrEqualTo(GARBAGE);
        }
    }

    private static double delta(Map<String, Double> before, Map<String, Double> after, String series) {
        assertThat(after).as("/metrics has " + series).containsKey(series);
        return after.get(series) - before.getOrDefault(series, 0.0);
    }

    /** The samples of a Prometheus text exposition, by {@code name{labels}} as written. */
    static Map<String, Double> scrape(HttpClient http, URI uri) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        Map<String, Double> samples = new HashMap<>();
        for (String line : response.body().split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        }
        return samples;
    }
}
