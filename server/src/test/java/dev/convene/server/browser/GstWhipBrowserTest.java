package dev.convene.server.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.Playwright;
import dev.convene.server.netns.NamespacedChromium;
import dev.convene.server.netns.NamespacedServer;
import dev.convene.server.netns.NetNamespace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A real GStreamer WebRTC stack publishes into a meeting over WHIP (Done-when 4 of issue 18,
 * ADR 0025): GStreamer's webrtcbin with libnice (Debian's packages) sends test video (VP8) and
 * audio (Opus) to {@code POST /v1/meetings/{id}/whip} with a guest access token, offering as
 * webrtcbin does (max-bundle: every line but the first bundle-only with port 0, sendrecv) and
 * trickling by PATCH, and a Chromium page in the meeting decodes the video and receives the
 * audio. Debian 12's {@code simple-whip-client} aborts at start (it links libsoup 2, libnice
 * links libsoup 3), so the client is {@code gst/whip_publish.py}: webrtcbin driven from Python's
 * GObject bindings, HTTP from urllib. libnice gathers no loopback candidates when the host has
 * another address, so the server, the client and Chromium run in a network namespace the test
 * creates, with one non-loopback network card.
 */
class GstWhipBrowserTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(40);
    private static final String HOST_ADDRESS = "10.78.0.1";
    /** Debian's python3: the GObject bindings (python3-gi, gir1.2-gst-plugins-bad-1.0) are its packages. */
    private static final Path PYTHON = Path.of("/usr/bin/python3");

    private static final String GUEST_TOKEN = """
            async (name) => {
              const res = await fetch('/v1/auth/guest', {method: 'POST', headers: {'Content-Type': 'application/json'},
                  body: JSON.stringify({display_name: name})});
              return (await res.json()).access_token;
            }""";

    /** Participant ids by display name, as the meeting page heard of them. */
    private static final String PEERS = """
            () => {
              const out = {};
              for (const f of window.convene.frames) {
                if (f.dir === 'in' && f.frame.type === 'participant-joined') {
                  out[f.frame.participant.display_name] = f.frame.participant.participant_id;
                }
              }
              return out;
            }""";

    private NetNamespace host;
    private NamespacedServer server;
    private Playwright playwright;
    private Browser browser;
    private MeetingPage alice;
    private Process gst;

    @AfterEach
    void tearDown() {
        if (gst != null) {
            gst.destroyForcibly();
        }
        if (alice != null) {
            alice.close();
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
        if (host != null) {
            host.close();
        }
    }

    @Test
    void aMeetingPageDecodesWhatGstreamersWebrtcbinPublishesOverWhip() throws Exception {
        assertThat(Files.isExecutable(PYTHON)).as("this test needs Debian's python3").isTrue();
        Path client = Path.of(GstWhipBrowserTest.class.getResource("/gst/whip_publish.py").toURI());
        host = NetNamespace.create("gst");
        host.addLocalInterfaceWithDefaultRoute("eth0", HOST_ADDRESS + "/24");
        server = NamespacedServer.start(host, List.of());
        playwright = Playwright.create();
        browser = NamespacedChromium.launch(playwright, host);

        alice = new MeetingPage(browser, "Alice");
        String meetingUrl = alice.createMeetingAndJoin(server.localUrl());
        String meetingId = meetingUrl.substring(meetingUrl.lastIndexOf('/') + 1);
        String token = (String) alice.page.evaluate(GUEST_TOKEN, "GStreamer WHIP");
        assertThat(token).isNotBlank();

        gst = host.start(PYTHON.toString(), client.toString(),
                "http://" + HOST_ADDRESS + ":" + server.httpPort() + "/v1/meetings/" + meetingId + "/whip", token);

        await("Alice decodes GStreamer's video and receives its audio").atMost(TIMEOUT)
                .pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                    assertThat(gst.isAlive()).as("the GStreamer client runs (its log: target/artifacts/netns)").isTrue();
                    @SuppressWarnings("unchecked")
                    Map<String, String> peers = (Map<String, String>) alice.page.evaluate(PEERS);
                    assertThat(peers).containsKey("GStreamer WHIP");
                    String gstId = peers.get("GStreamer WHIP");
                    List<Map<String, Object>> stats = alice.inbound();
                    assertThat(stats).as("Alice decodes GStreamer's video").anySatisfy(s -> {
                        assertThat(s.get("participant")).isEqualTo(gstId);
                        assertThat(s.get("kind")).isEqualTo("video");
                        assertThat(MeetingPage.num(s, "frames")).isGreaterThan(10);
                        assertThat(MeetingPage.num(s, "width")).isGreaterThan(0);
                    });
                    assertThat(stats).as("Alice receives GStreamer's audio").anySatisfy(s -> {
                        assertThat(s.get("participant")).isEqualTo(gstId);
                        assertThat(s.get("kind")).isEqualTo("audio");
                        assertThat(MeetingPage.num(s, "packets")).isGreaterThan(20);
                    });
                });

        gst.destroy(); // SIGTERM: the client sends its DELETE, as on Ctrl-C
        assertThat(gst.waitFor(15, TimeUnit.SECONDS)).as("the client ends after SIGTERM").isTrue();
        assertThat(gst.exitValue()).as("the client's exit code").isZero();
        await("the WHIP session ends on the client's DELETE").atMost(Duration.ofSeconds(10)).until(() -> server.output()
                .stream().anyMatch(l -> l.contains("event=media_resource_ended kind=whip") && l.contains("reason=deleted")));
    }
}
