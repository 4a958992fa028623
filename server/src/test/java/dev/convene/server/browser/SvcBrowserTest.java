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

    @RegisterExtension
    static final BrowserFixture browsers = new BrowserFixture();

    @Test
    void twoSubscribersAtDifferentSizesDecodeDifferentSpatialLayersOfOneVp9Stream() throws Exception {
        MeetingPage ada = browsers.page("Ada", "VP9");
        String meetingUrl = ada.createMeetingAndJoin(browsers.server().webUrl());
        // Bob and Carol only watch (camera off): one 720p SVC encoder is what a shared 2-core machine affords.
        MeetingPage bob = watcher("Bob", meetingUrl, 480, 360);
        // Carol's tile (in a three-person grid) is wider than the middle layer's 640 px.
        MeetingPage carol = watcher("Carol", meetingUrl, 2400, 1300);

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
                    Map<String, Object> b = bob.inboundCamera();
                    Map<String, Object> c = carol.inboundCamera();
                    assertThat(b.get("codec")).isEqualTo("video/VP9");
                    assertThat(num(b, "frames")).as("Bob's decoded frames").isGreaterThan(10);
                    assertThat(num(c, "frames")).as("Carol's decoded frames").isGreaterThan(10);
                    assertThat(num(b, "width")).as("Bob's decoded width").isBetween(1.0, 360.0);
                    assertThat(num(c, "width")).as("Carol's decoded width").isGreaterThan(num(b, "width"));
                    widths[0] = num(b, "width");
                    widths[1] = num(c, "width");
                });
        // Both keep decoding: the dropped layers left neither stream broken.
        double bobFrames = num(bob.inboundCamera(), "frames");
        double carolFrames = num(carol.inboundCamera(), "frames");
        await("both keep decoding").atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(num(bob.inboundCamera(), "frames")).isGreaterThan(bobFrames + 10);
            assertThat(num(carol.inboundCamera(), "frames")).isGreaterThan(carolFrames + 10);
        });
        @SuppressWarnings("unchecked")
        Map<String, Object> out = (Map<String, Object>) ada.page.evaluate(OUTBOUND);
        System.out.printf("event=svc_widths_measured mode=%s ada_top=%.0f bob=%.0f carol=%.0f bob_now=%.0f carol_now=%.0f%n",
                out.get("mode"), num(out, "width"), widths[0], widths[1], num(bob.inboundCamera(), "width"),
                num(carol.inboundCamera(), "width"));
    }

    private MeetingPage watcher(String name, String meetingUrl, int width, int height) {
        MeetingPage p = browsers.sizedPage(name, width, height);
        p.openAndJoinWithCameraOff(meetingUrl);
        return p;
    }
}
