package dev.convene.server.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import dev.convene.server.AllInOneServer;
import dev.convene.server.ServerOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Three people meet through the web client's own UI in headless Chromium with fake camera,
 * microphone and screen: every media packet goes through Convene's SFU on loopback.
 */
class BrowserMeetingTest {

    /** inbound-rtp stats of the subscriber connection, each joined with the track its m-line carries. */
    private static final String INBOUND_STATS = """
            async () => {
              const c = window.convene;
              if (!c || !c.subscriberPc) return [];
              const offers = c.frames.filter(f => f.dir === 'in' && f.frame.type === 'offer');
              const tracks = offers.length ? (offers[offers.length - 1].frame.tracks || []) : [];
              const out = [];
              const stats = await c.subscriberPc.getStats();
              stats.forEach(s => {
                if (s.type !== 'inbound-rtp') return;
                const t = tracks.find(t => t.mid === s.mid) || {};
                const codec = s.codecId ? stats.get(s.codecId) : null;
                out.push({kind: s.kind, mid: s.mid || '', participant: t.participant_id || '', source: t.source || '',
                          codec: codec ? codec.mimeType : '',
                          packets: s.packetsReceived || 0, frames: s.framesDecoded || 0,
                          width: s.frameWidth || 0, level: s.audioLevel || 0});
              });
              return out;
            }""";

    private AllInOneServer server;
    private final List<BrowserContext> contexts = new ArrayList<>();
    private static Playwright playwright;
    private static Browser browser;
    private static final Path ARTIFACTS = Path.of(System.getProperty("convene.artifacts", "target/artifacts"));

    @BeforeAll
    static void launchBrowser() throws Exception {
        playwright = Playwright.create();
        browser = Chromium.launch(playwright);
        Files.createDirectories(ARTIFACTS);
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
        contexts.forEach(BrowserContext::close);
        if (server != null) {
            server.close();
        }
    }

    @Test
    void threePeopleSeeAndHearEachOtherShareAScreenChatAndLeave() throws Exception {
        Person alice = new Person("Alice");
        alice.page.navigate(server.webUrl() + "/");
        alice.page.getByTestId("display-name-input").fill("Alice");
        alice.page.getByTestId("new-meeting-button").click();
        alice.page.waitForURL("**/m/*");
        String meetingUrl = alice.page.url();
        alice.joinFromPrejoin();

        Person bob = new Person("Bob");
        bob.openAndJoin(meetingUrl);
        Person carol = new Person("Carol");
        carol.openAndJoin(meetingUrl);
        List<Person> everyone = List.of(alice, bob, carol);
        for (Person p : everyone) {
            p.participantId = (String) p.page.evaluate("() => window.convene.participantId");
        }

        // Everyone sees two remote tiles with the right names.
        for (Person p : everyone) {
            await("tiles of " + p.name).atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(p.page.getByTestId("tile").count()).isEqualTo(2));
            for (Person other : everyone) {
                if (other != p) {
                    assertThat(p.page.locator("[data-testid=tile][data-name='" + other.name + "']").count()).isEqualTo(1);
                }
            }
        }

        // Each decodes video from both others and hears both (audio played in <audio>).
        for (Person p : everyone) {
            await("media at " + p.name).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                    .untilAsserted(() -> {
                        List<Map<String, Object>> stats = p.inbound();
                        for (Person other : everyone) {
                            if (other == p) {
                                continue;
                            }
                            assertThat(stats).as("%s receives %s's camera", p.name, other.name).anySatisfy(s -> {
                                assertThat(s.get("participant")).isEqualTo(other.participantId);
                                assertThat(s.get("kind")).isEqualTo("video");
                                assertThat(num(s, "frames")).isGreaterThan(10);
                                assertThat(num(s, "width")).isGreaterThan(0);
                            });
                            assertThat(stats).as("%s hears %s", p.name, other.name).anySatisfy(s -> {
                                assertThat(s.get("participant")).isEqualTo(other.participantId);
                                assertThat(s.get("kind")).isEqualTo("audio");
                                assertThat(num(s, "packets")).isGreaterThan(20);
                                assertThat(num(s, "level")).isGreaterThan(0);
                            });
                        }
                    });
        }
        // ... and keeps doing so: decoded video frames and received audio packets rise on every m-line.
        for (Person p : everyone) {
            Map<String, Double> before = p.progressByMid();
            assertThat(before).as("%s's inbound streams", p.name).hasSize(4);
            await("media keeps flowing at " + p.name).atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                Map<String, Double> now = p.progressByMid();
                before.forEach((mid, count) -> assertThat(now.get(mid)).as("%s mid %s", p.name, mid).isGreaterThan(count));
            });
        }

        // Alice shares her screen: Bob and Carol see it on the stage and decode it.
        alice.page.getByTestId("screen-share-toggle").click();
        for (Person p : List.of(bob, carol)) {
            await("stage at " + p.name).atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(p.page.getByTestId("stage").count()).isEqualTo(1));
            await("screen frames at " + p.name).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                    .untilAsserted(() -> assertThat(p.inbound()).anySatisfy(s -> {
                        assertThat(s.get("participant")).isEqualTo(alice.participantId);
                        assertThat(s.get("source")).isEqualTo("screen");
                        assertThat(num(s, "frames")).isGreaterThan(5);
                        assertThat(num(s, "width")).isGreaterThan(0);
                    }));
        }
        alice.page.screenshot(new Page.ScreenshotOptions().setPath(ARTIFACTS.resolve("meeting-alice.png")));
        bob.page.screenshot(new Page.ScreenshotOptions().setPath(ARTIFACTS.resolve("meeting-bob-sees-screen.png")));

        // A chat message from each reaches the other two.
        for (Person p : everyone) {
            p.page.getByTestId("chat-toggle").click();
            p.page.getByTestId("chat-input").fill("hello from " + p.name);
            p.page.getByTestId("chat-send").click();
        }
        for (Person p : everyone) {
            for (Person other : everyone) {
                String text = "hello from " + other.name;
                await(p.name + " reads " + other.name).atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                        assertThat(p.page.locator("[data-testid=chat-message][data-sender='" + other.name + "']")
                                .filter(new com.microsoft.playwright.Locator.FilterOptions().setHasText(text))
                                .count()).isEqualTo(1));
            }
        }

        // Carol leaves: within 2 s she is gone for the others, and her tracks end there.
        carol.page.getByTestId("leave-button").click();
        long left = System.nanoTime();
        for (Person p : List.of(alice, bob)) {
            await("Carol's tile gone at " + p.name).atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(100))
                    .untilAsserted(() -> assertThat(
                            p.page.locator("[data-testid=tile][data-name='Carol']").count()).isZero());
        }
        assertThat(Duration.ofNanos(System.nanoTime() - left)).isLessThan(Duration.ofSeconds(3));
        for (Person p : List.of(alice, bob)) {
            await("Carol's tracks end at " + p.name).atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                    assertThat((Boolean) p.page.evaluate("id => {"
                            + " const offers = window.convene.frames.filter(f => f.dir === 'in' && f.frame.type === 'offer');"
                            + " const last = offers[offers.length - 1].frame;"
                            + " return !(last.tracks || []).some(t => t.participant_id === id)"
                            + "   && !window.convene.participants.has(id); }", carol.participantId)).isTrue());
        }
        assertThat(server.sfu().participantCount()).isEqualTo(2);
    }

    @Test
    void videoGoesThroughAsH264WhenTheBrowsersPreferIt() {
        Person ada = new Person("Ada", "H264");
        ada.page.navigate(server.webUrl() + "/");
        ada.page.getByTestId("display-name-input").fill("Ada");
        ada.page.getByTestId("new-meeting-button").click();
        ada.page.waitForURL("**/m/*");
        ada.joinFromPrejoin();
        Person grace = new Person("Grace", "H264");
        grace.openAndJoin(ada.page.url());

        for (Person p : List.of(ada, grace)) {
            await("H.264 video at " + p.name).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                    .untilAsserted(() -> assertThat(p.inbound()).anySatisfy(s -> {
                        assertThat(s.get("kind")).isEqualTo("video");
                        assertThat(s.get("codec")).isEqualTo("video/H264");
                        assertThat(num(s, "frames")).isGreaterThan(10);
                        assertThat(num(s, "width")).isGreaterThan(0);
                    }));
        }
    }

    private static double num(Map<String, Object> stats, String key) {
        return ((Number) stats.get(key)).doubleValue();
    }

    /** One person with their own browser profile. */
    private final class Person {
        final String name;
        final BrowserContext context;
        final Page page;
        String participantId;

        Person(String name) {
            this(name, null);
        }

        /** @param videoCodec the web client's preferred video codec (localStorage "convene.videoCodec"), or null */
        Person(String name, String videoCodec) {
            this.name = name;
            this.context = browser.newContext(new Browser.NewContextOptions().setViewportSize(1280, 800));
            contexts.add(context);
            if (videoCodec != null) {
                context.addInitScript("localStorage.setItem('convene.videoCodec', '" + videoCodec + "')");
            }
            this.page = context.newPage();
            page.onPageError(error -> System.err.println(name + " page error: " + error));
        }

        void openAndJoin(String meetingUrl) {
            page.navigate(meetingUrl);
            page.getByTestId("display-name-input").fill(name);
            joinFromPrejoin();
        }

        void joinFromPrejoin() {
            page.getByTestId("join-now-button").click();
            page.waitForFunction("() => window.convene && window.convene.state === 'joined'", null,
                    new Page.WaitForFunctionOptions().setTimeout(20_000));
        }

        @SuppressWarnings("unchecked")
        List<Map<String, Object>> inbound() {
            return new ArrayList<>((List<Map<String, Object>>) page.evaluate(INBOUND_STATS));
        }

        /** Per m-line: frames decoded (video) or packets received (audio). */
        Map<String, Double> progressByMid() {
            Map<String, Double> progress = new java.util.HashMap<>();
            for (Map<String, Object> s : inbound()) {
                progress.put((String) s.get("mid"), num(s, "video".equals(s.get("kind")) ? "frames" : "packets"));
            }
            return progress;
        }
    }
}
