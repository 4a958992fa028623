package dev.convene.server.browser;

import static dev.convene.server.browser.MeetingPage.num;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.Playwright;
import dev.convene.server.AllInOneServer;
import dev.convene.server.ServerOptions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 14, Done-when 2: Chromium publishes its 720p fake camera as one VP9 {@code L3T3_KEY}
 * stream (web client with {@code convene.videoCodec=VP9}); Bob watches in a small window, Carol
 * in a large one. The SFU drops the upper spatial layers for Bob only: both decode, Bob at the
 * base layer's width, Carol at a larger one (ADR 0026).
 */
@Timeout(240)
class SvcBrowserTest {

    /** Ada's outbound camera: the scalability mode and the top layer's size her encoder sends. */
    private static final String OUTBOUND = """
            async () => {
              let out = {mode: '', width: 0, frames: 0, codec: ''};
              const stats = await window.convene.publisherPc.getStats();
              stats.forEach(s => {
                if (s.type === 'outbound-rtp' && s.kind === 'video') {
                  const codec = s.codecId ? stats.get(s.codecId) : null;
                  out = {mode: s.scalabilityMode || '', width: s.frameWidth || 0, frames: s.framesEncoded || 0,
                         codec: codec ? codec.mimeType : ''};
                }
              });
              return out;
            }""";

    private AllInOneServer server;
    private Playwright playwright;
    private Browser browser;
    private MeetingPage ada;
    private MeetingPage bob;
    private MeetingPage carol;

    @AfterEach
    void close() {
        for (MeetingPage p : new MeetingPage[] {ada, bob, carol}) {
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
    void twoSubscribersAtDifferentSizesDecodeDifferentSpatialLayersOfOneVp9Stream() throws Exception {
        server = AllInOneServer.start(ServerOptions.forTests());
        playwright = Playwright.create();
        browser = Chromium.launch(playwright);

        ada = new MeetingPage(browser, "Ada", "VP9");
        String meetingUrl = ada.createMeetingAndJoin(server.webUrl());
        // Bob and Carol only watch (camera off): one 720p SVC encoder is what a shared 2-core machine affords.
        bob = watcher("Bob", meetingUrl, 480, 360);
        // Carol's tile (in a three-person grid) is wider than the middle layer's 640 px.
        carol = watcher("Carol", meetingUrl, 2400, 1300);

        await("Ada's VP9 SVC").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            @SuppressWarnings("unchecked")
            Map<String, Object> out = (Map<String, Object>) ada.page.evaluate(OUTBOUND);
            assertThat(out.get("codec")).isEqualTo("video/VP9");
            // Asked for L3T3_KEY; a loaded machine's encoder may drop to L2T3_KEY (it adapts to CPU). Two layers suffice.
            assertThat((String) out.get("mode")).matches("L[23]T3_KEY");
            assertThat(num(out, "frames")).isGreaterThan(10);
        });

        double[] widths = new double[2];
        await("Bob small, Carol large").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> {
                    Map<String, Object> b = adaCamera(bob);
                    Map<String, Object> c = adaCamera(carol);
                    assertThat(b.get("codec")).isEqualTo("video/VP9");
                    assertThat(num(b, "frames")).as("Bob's decoded frames").isGreaterThan(10);
                    assertThat(num(c, "frames")).as("Carol's decoded frames").isGreaterThan(10);
                    assertThat(num(b, "width")).as("Bob's decoded width").isBetween(1.0, 360.0);
                    assertThat(num(c, "width")).as("Carol's decoded width").isGreaterThan(num(b, "width"));
                    widths[0] = num(b, "width");
                    widths[1] = num(c, "width");
                });
        // Both keep decoding: the dropped layers left neither stream broken.
        double bobFrames = num(adaCamera(bob), "frames");
        double carolFrames = num(adaCamera(carol), "frames");
        await("both keep decoding").atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(num(adaCamera(bob), "frames")).isGreaterThan(bobFrames + 10);
            assertThat(num(adaCamera(carol), "frames")).isGreaterThan(carolFrames + 10);
        });
        @SuppressWarnings("unchecked")
        Map<String, Object> out = (Map<String, Object>) ada.page.evaluate(OUTBOUND);
        System.out.printf("event=svc_widths_measured mode=%s ada_top=%.0f bob=%.0f carol=%.0f bob_now=%.0f carol_now=%.0f%n",
                out.get("mode"), num(out, "width"), widths[0], widths[1], num(adaCamera(bob), "width"),
                num(adaCamera(carol), "width"));
    }

    private MeetingPage watcher(String name, String meetingUrl, int width, int height) {
        MeetingPage p = MeetingPage.sized(browser, name, width, height);
        p.page.navigate(meetingUrl);
        p.page.getByTestId("display-name-input").fill(name);
        p.page.waitForSelector("[data-testid=prejoin-camera-toggle][data-state=on]");
        p.page.getByTestId("prejoin-camera-toggle").click();
        p.joinFromPrejoin();
        return p;
    }

    private static Map<String, Object> adaCamera(MeetingPage viewer) {
        List<Map<String, Object>> stats = viewer.inbound();
        return stats.stream().filter(s -> "video".equals(s.get("kind")) && "camera".equals(s.get("source")))
                .findFirst().orElse(Map.of("frames", 0, "width", 0, "codec", ""));
    }
}
