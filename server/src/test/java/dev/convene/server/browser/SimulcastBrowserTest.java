package dev.convene.server.browser;

import static dev.convene.server.browser.MeetingPage.num;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Chromium publishes its 720p fake camera as three simulcast layers (rid q/h/f, answered with
 * {@code a=simulcast:recv}); Bob's web client, in a small window, sends the size its tile renders
 * and decodes the low layer (width ≤ 360); enlarging his window brings the top layer within 3 s.
 */
@Timeout(120)
class SimulcastBrowserTest {

    /** Ada's outbound video per rid: what her encoder actually sends. */
    private static final String OUTBOUND_BY_RID = """
            async () => {
              const out = {};
              const stats = await window.convene.publisherPc.getStats();
              stats.forEach(s => {
                if (s.type === 'outbound-rtp' && s.kind === 'video' && s.rid) {
                  out[s.rid] = {width: s.frameWidth || 0, frames: s.framesEncoded || 0};
                }
              });
              return out;
            }""";

    @RegisterExtension
    static final BrowserFixture browsers = new BrowserFixture();

    @Test
    void smallTileDecodesTheLowLayerAndALargeOneTheTopLayer() throws Exception {
        MeetingPage ada = browsers.simulcastPage("Ada", 1280, 800);
        String meetingUrl = ada.createMeetingAndJoin(browsers.server().webUrl());
        // Bob only watches (camera off before joining): two 720p simulcast encoders would be more
        // than a shared 2-core test machine can encode in time.
        MeetingPage bob = browsers.sizedPage("Bob", 480, 360);
        bob.openAndJoinWithCameraOff(meetingUrl);

        // Ada's encoder sends all three layers, the top one at 720p.
        await("Ada's three layers").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            @SuppressWarnings("unchecked")
            Map<String, Map<String, Object>> layers = (Map<String, Map<String, Object>>) ada.page.evaluate(OUTBOUND_BY_RID);
            assertThat(layers).containsKeys("q", "h", "f");
            assertThat(num(layers.get("f"), "width")).isEqualTo(1280);
            assertThat(num(layers.get("f"), "frames")).isGreaterThan(10);
        });

        // Bob's tile is small: he decodes the low layer.
        await("Bob's small tile").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> assertThat(bob.inboundCamera()).satisfies(s -> {
                    assertThat(num(s, "frames")).isGreaterThan(10);
                    assertThat(num(s, "width")).isBetween(1.0, 360.0);
                }));
        browsers.screenshot(bob, "simulcast-bob-small.png");

        // Bob enlarges his window: his tile renders wider than 1280 px, the top layer arrives within 3 s.
        Object adaLayers = ada.page.evaluate(OUTBOUND_BY_RID);
        bob.page.setViewportSize(2800, 1300);
        long start = System.nanoTime();
        await("Bob's large tile").atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> assertThat(num(bob.inboundCamera(), "width"))
                        .as("Bob's decoded width; Ada's layers just before: %s", adaLayers).isEqualTo(1280.0));
        System.out.printf("event=simulcast_switch_up_measured millis=%d%n", (System.nanoTime() - start) / 1_000_000);
    }
}
