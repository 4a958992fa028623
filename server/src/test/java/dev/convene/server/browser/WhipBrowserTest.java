package dev.convene.server.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import dev.convene.client.ConveneApi;
import dev.convene.client.ReceivedStream;
import dev.convene.client.WhipClient;
import dev.convene.server.AllInOneServer;
import dev.convene.server.ServerOptions;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * WHIP into a meeting that a Chromium page is in (Done-when 4 of issue 18, ADR 0025): the Java
 * client speaking WHIP (real VP8 from an IVF file) and Chromium itself as a WHIP client from a
 * page (fetch + RTCPeerConnection, as OBS does) both publish, and the meeting's page decodes both;
 * a Java WHEP player then receives Chromium's stream.
 */
class WhipBrowserTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String IVF = "/media/testsrc2-320x180-30fps.ivf";

    /** Publishes the fake camera and microphone over WHIP, from a page of the server's origin. */
    private static final String WHIP_PUBLISH = """
            async ({url, token}) => {
              const stream = await navigator.mediaDevices.getUserMedia({audio: true, video: {width: 640, height: 360}});
              const pc = new RTCPeerConnection();
              for (const track of stream.getTracks()) {
                pc.addTransceiver(track, {direction: 'sendonly', streams: [stream]});
              }
              await pc.setLocalDescription(await pc.createOffer());
              const res = await fetch(url, {method: 'POST', body: pc.localDescription.sdp,
                  headers: {'Content-Type': 'application/sdp', 'Authorization': 'Bearer ' + token}});
              if (res.status !== 201) throw new Error('WHIP answered ' + res.status + ': ' + await res.text());
              const location = res.headers.get('Location');
              await pc.setRemoteDescription({type: 'answer', sdp: await res.text()});
              window.whip = {pc, location, token};
              return location;
            }""";

    private static final String WHIP_DELETE = """
            async () => (await fetch(window.whip.location, {method: 'DELETE',
                headers: {'Authorization': 'Bearer ' + window.whip.token}})).status""";

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

    private static Playwright playwright;
    private static Browser browser;
    private AllInOneServer server;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void launchBrowser() {
        playwright = Playwright.create();
        browser = Chromium.launch(playwright);
    }

    @AfterAll
    static void closeBrowser() {
        if (browser != null) {
            browser.close();
        }
        if (playwright != null) {
            playwright.close();
        }
    }

    @BeforeEach
    void startServer() throws Exception {
        server = AllInOneServer.start(ServerOptions.forTests());
    }

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aMeetingPageDecodesJavaAndChromiumWhipPublishersAndAWhepPlayerReceivesOne() throws Exception {
        ConveneApi api = new ConveneApi(URI.create(server.webUrl()));
        try (MeetingPage alice = new MeetingPage(browser, "Alice");
                InputStream ivf = WhipBrowserTest.class.getResourceAsStream(IVF)) {
            String meetingUrl = alice.createMeetingAndJoin(server.webUrl());
            String meetingId = meetingUrl.substring(meetingUrl.lastIndexOf('/') + 1);
            URI whip = URI.create(server.webUrl() + "/v1/meetings/" + meetingId + "/whip");

            try (WhipClient java = WhipClient.publish(http, whip, api.guestToken("Java WHIP").accessToken(), TIMEOUT, ivf);
                    BrowserContext obsContext = browser.newContext()) {
                Page obs = obsContext.newPage();
                obs.navigate(server.webUrl() + "/");
                String location = (String) obs.evaluate(WHIP_PUBLISH, Map.of("url", whip.getPath(),
                        "token", api.guestToken("Chromium WHIP").accessToken()));
                assertThat(location).startsWith(whip.getPath() + "/MS_");

                await("Alice decodes both WHIP publishers").atMost(TIMEOUT).pollInterval(Duration.ofMillis(500))
                        .untilAsserted(() -> {
                            @SuppressWarnings("unchecked")
                            Map<String, String> peers = (Map<String, String>) alice.page.evaluate(PEERS);
                            assertThat(peers).containsKeys("Java WHIP", "Chromium WHIP");
                            List<Map<String, Object>> stats = alice.inbound();
                            for (String name : List.of("Java WHIP", "Chromium WHIP")) {
                                assertThat(stats).as("Alice decodes %s", name).anySatisfy(s -> {
                                    assertThat(s.get("participant")).isEqualTo(peers.get(name));
                                    assertThat(s.get("kind")).isEqualTo("video");
                                    assertThat(MeetingPage.num(s, "frames")).isGreaterThan(10);
                                    assertThat(MeetingPage.num(s, "width")).isGreaterThan(0);
                                });
                            }
                        });
                @SuppressWarnings("unchecked")
                String chromiumId = ((Map<String, String>) alice.page.evaluate(PEERS)).get("Chromium WHIP");
                URI whep = URI.create(server.webUrl() + "/v1/meetings/" + meetingId + "/whep/participants/" + chromiumId);
                try (WhipClient player = WhipClient.play(http, whep, api.guestToken("Player").accessToken(), TIMEOUT)) {
                    long ssrc = player.announcedSsrc("1");
                    await("the WHEP player receives Chromium's video").atMost(TIMEOUT).untilAsserted(() -> {
                        ReceivedStream video = player.transport().receivedStream(ssrc);
                        assertThat(video.packets()).isGreaterThan(30);
                        assertThat(video.keyframes()).as("key frames among %d packets", video.packets()).isGreaterThan(0);
                        assertThat(video.lastKeyframeWidth()).as("width of the last of %d key frames", video.keyframes())
                                .isGreaterThan(0);
                    });
                    assertThat(player.delete()).isEqualTo(200);
                }
                assertThat(obs.evaluate(WHIP_DELETE)).isEqualTo(200);
                assertThat(java.delete()).isEqualTo(200);
                await("every session ended").atMost(TIMEOUT).until(() -> server.signaling().mediaSessions() == 0);
            }
        }
    }
}
