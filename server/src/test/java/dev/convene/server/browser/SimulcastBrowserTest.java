package dev.convene.server.browser;

import static dev.convene.server.browser.MeetingPage.num;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import dev.convene.server.AllInOneServer;
import dev.convene.server.ServerOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

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

    private static final Path ARTIFACTS = Path.of(System.getProperty("convene.artifacts", "target/artifacts"));

    private AllInOneServer server;
    private Playwright playwright;
    private Browser browser;
    private MeetingPage ada;
    private MeetingPage bob;

    @AfterEach
    void close() {
        for (MeetingPage p : new MeetingPage[] {ada, bob}) {
            if (p != null) {
                p.close();
            }
        }
        if (browser != null) {
            browser.close();
        }
        if (playwright != null) {
            playwright.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void smallTileDecodesTheLowLayerAndALargeOneTheTopLayer() throws Exception {
        server = AllInOneServer.start(ServerOptions.forTests());
        playwright = Playwright.create();
        browser = Chromium.launch(playwright);
        Files.createDirectories(ARTIFACTS);

        ada = MeetingPage.withSimulcast(browser, "Ada", 1280, 800);
        String meetingUrl = ada.createMeetingAndJoin(server.webUrl());
        // Bob only watches (camera off before joining): two 720p simulcast encoders would be more
        // than a shared 2-core test machine can encode in time.
        bob = MeetingPage.sized(browser, "Bob", 480, 360);
        bob.page.navigate(meetingUrl);
        bob.page.getByTestId("display-name-input").fill("Bob");
        bob.page.waitForSelector("[data-testid=prejoin-camera-toggle][data-state=on]");
        bob.page.getByTestId("prejoin-camera-toggle").click();
        bob.joinFromPrejoin();

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
                .untilAsserted(() -> assertThat(adaCamera(bob)).satisfies(s -> {
                    assertThat(num(s, "frames")).isGreaterThan(10);
                    assertThat(num(s, "width")).isBetween(1.0, 360.0);
                }));
        bob.page.screenshot(new Page.ScreenshotOptions().setPath(ARTIFACTS.resolve("simulcast-bob-small.png")));

        // Bob enlarges his window: his tile renders wider than 1280 px, the top layer arrives within 3 s.
        Object adaLayers = ada.page.evaluate(OUTBOUND_BY_RID);
        bob.page.setViewportSize(2800, 1300);
        long start = System.nanoTime();
        await("Bob's large tile").atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> assertThat(num(adaCamera(bob), "width"))
                        .as("Bob's decoded width; Ada's layers just before: %s", adaLayers).isEqualTo(1280.0));
        System.out.printf("event=simulcast_switch_up_measured millis=%d%n", (System.nanoTime() - start) / 1_000_000);
    }

    private static Map<String, Object> adaCamera(MeetingPage viewer) {
        List<Map<String, Object>> stats = viewer.inbound();
        return stats.stream().filter(s -> "video".equals(s.get("kind")) && "camera".equals(s.get("source")))
                .findFirst().orElse(Map.of("frames", 0, "width", 0));
    }
}
