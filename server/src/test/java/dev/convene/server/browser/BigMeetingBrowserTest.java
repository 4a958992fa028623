package dev.convene.server.browser;

import static dev.convene.server.browser.MeetingPage.num;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.Page;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Twelve web client pages in one meeting (issue 14): everyone counts twelve, the grid pages, the
 * loud page rings and no quiet one does, small tiles decode a small simulcast layer; the first
 * observer's screen is kept as {@code big-meeting.png}. Built to be cheap on a 2-core machine: two
 * Chromium processes (eleven pages whose fake microphone plays silence, one whose microphone plays
 * speech-like bursts, {@link FakeMicrophone}), fake cameras at 10 fps, nine of them 640×360 and
 * three as the client asks (1280×720), all sent as the web client's simulcast, and 640×400
 * windows, so a grid page holds four tiles and the client pauses the videos of hidden pages.
 * Every page plays its eleven remote audio tracks (the client's {@code <audio>} elements).
 */
@Timeout(240)
class BigMeetingBrowserTest {

    private static final int PEOPLE = 12;
    private static final int WIDTH = 640;
    private static final int HEIGHT = 400;
    /**
     * Pages that keep the web client's 1280×720 camera (three simulcast layers, the top one
     * 1280 wide), on the first grid page of both observers; the others' camera is small.
     */
    private static final Set<String> LARGE_CAMERAS = Set.of("P01", "P03", "Loud");

    /**
     * The web client asks for a 1280×720 camera; a smaller one keeps twelve encoders affordable.
     * Its simulcast encodings scale down by 1, 2 and 4 from whatever the camera gives, and Chrome
     * drops the top one at 640×360.
     */
    private static final String SMALL_CAMERA = """
            (() => {
              const md = navigator.mediaDevices;
              if (!md || !md.getUserMedia) return;
              const original = md.getUserMedia.bind(md);
              md.getUserMedia = (c) => original(c && c.video
                  ? {...c, video: {width: {ideal: 640}, height: {ideal: 360}, frameRate: {ideal: 10}}} : c);
            })();""";

    /** The camera's outbound video per rid, as the encoder sends it. */
    private static final String OUTBOUND_BY_RID = """
            async () => {
              const out = {};
              const stats = await window.convene.publisherPc.getStats();
              stats.forEach(s => {
                if (s.type === 'outbound-rtp' && s.kind === 'video') {
                  out[s.rid || '-'] = {width: s.frameWidth || 0, frames: s.framesEncoded || 0};
                }
              });
              return out;
            }""";

    @RegisterExtension
    static final BrowserFixture browsers = new BrowserFixture();

    @TempDir
    Path dir;

    @Test
    void twelvePagesPageTheGridRingTheLoudOneAndGetSmallLayers() throws Exception {
        long start = System.nanoTime();
        List<String> camera = List.of("--use-fake-device-for-media-stream=fps=10");
        Browser quiet = browsers.launch(concat(camera,
                "--use-file-for-fake-audio-capture=" + FakeMicrophone.silence(dir.resolve("silence.wav"))));
        Browser loud = browsers.launch(concat(camera,
                "--use-file-for-fake-audio-capture=" + FakeMicrophone.speech(dir.resolve("speech.wav"))));

        List<MeetingPage> everyone = new ArrayList<>();
        MeetingPage first = page(quiet, "P01");
        String meetingUrl = first.createMeetingAndJoin(browsers.server().webUrl());
        everyone.add(first);
        for (int i = 2; i < PEOPLE; i++) {
            MeetingPage p = page(quiet, String.format("P%02d", i));
            p.openAndJoin(meetingUrl);
            everyone.add(p);
        }
        MeetingPage speaker = page(loud, "Loud");
        speaker.openAndJoin(meetingUrl);
        everyone.add(speaker);
        List<MeetingPage> quietPages = everyone.subList(0, PEOPLE - 1);
        System.out.printf("event=big_meeting_joined people=%d millis=%d%n", PEOPLE, (System.nanoTime() - start) / 1_000_000);

        // (1) Everyone counts twelve people.
        for (MeetingPage p : everyone) {
            await(p.name + " counts everyone").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(250))
                    .untilAsserted(() -> assertThat(p.page.getByTestId("participant-count").textContent().trim())
                            .isEqualTo(String.valueOf(PEOPLE)));
        }

        // (3) The loud page rings on every other page, and only it; the observers show its tile
        // on the grid page they look at (the client promotes a speaker from a hidden page).
        for (MeetingPage p : quietPages) {
            await(p.name + " sees Loud speaking").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                    .untilAsserted(() -> assertThat(speakingTiles(p.page)).containsExactly(speaker.participantId));
        }
        // It stays so: no quiet page rings anywhere. (The SFU may drop Loud for a moment between
        // its bursts, so Loud's own ring is not asserted on every sample.)
        await("the quiet pages never ring").during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(15))
                .pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> {
                    for (MeetingPage p : quietPages) {
                        assertThat(speakingTiles(p.page)).as("rings on %s", p.name).isSubsetOf(speaker.participantId);
                    }
                });
        MeetingPage observer = everyone.get(1);
        MeetingPage secondObserver = everyone.get(5);
        for (MeetingPage p : List.of(observer, secondObserver)) {
            assertThat(shownTiles(p.page)).as("%s's shown grid page", p.name).contains(speaker.participantId);
        }

        // (4) The large cameras go out as three layers, the top one wider than 360 (Chrome sends
        // fewer from a small camera: 640×360 gives only 160 and 320 wide); the observers' small
        // tiles decode a layer no wider than 360 of every video they receive, large cameras included.
        List<MeetingPage> largeCameras = everyone.stream().filter(p -> LARGE_CAMERAS.contains(p.name)).toList();
        for (MeetingPage p : largeCameras) {
            await(p.name + " sends a layer wider than 360").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                    .untilAsserted(() -> assertThat(outboundByRid(p.page).values()).as("%s's layers", p.name)
                            .anySatisfy(l -> {
                                assertThat(num(l, "width")).isGreaterThan(360);
                                assertThat(num(l, "frames")).isGreaterThan(10);
                            }));
            System.out.printf("event=big_meeting_publisher_layers page=%s layers=%s%n", p.name, outboundByRid(p.page));
        }
        Set<String> largeIds = new HashSet<>(largeCameras.stream().map(p -> p.participantId).toList());
        for (MeetingPage o : List.of(observer, secondObserver)) {
            Map<String, Double> framesByMid = new HashMap<>();
            Map<String, Object> widths = new HashMap<>();
            await(o.name + " decodes small layers").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofSeconds(1))
                    .untilAsserted(() -> {
                        Map<String, Map<String, Object>> decoding = decodingVideo(o, framesByMid);
                        widths.clear();
                        decoding.forEach((participant, st) -> widths.put(participant, st.get("width")));
                        assertThat(decoding.keySet()).as("%s decodes a large camera", o.name).containsAnyElementsOf(largeIds);
                        decoding.forEach((participant, st) -> assertThat(num(st, "width"))
                                .as("%s's decoded width of %s", o.name, participant).isBetween(1.0, 360.0));
                        assertThat(shownTiles(o.page)).as("what %s decodes is what it shows", o.name)
                                .containsAll(decoding.keySet());
                    });
            System.out.printf("event=big_meeting_decoded page=%s widths=%s%n", o.name, widths);
        }
        browsers.screenshot(observer, "big-meeting.png");

        // (2) The observer's grid is paged: fewer than twelve tiles a page, a next page with others on it.
        int pageSize = Integer.parseInt(observer.page.getByTestId("tiles").getAttribute("data-page-size"));
        assertThat(pageSize).as("%s's page size", observer.name).isLessThan(PEOPLE);
        assertThat(observer.page.getByTestId("pager").isVisible()).as("pager shown").isTrue();
        assertThat(observer.page.getByTestId("pager-label").textContent()).startsWith("1 / ");
        List<String> firstPage = shownTiles(observer.page);
        assertThat(firstPage).hasSizeLessThanOrEqualTo(pageSize - 1);
        observer.page.getByTestId("page-next").click();
        await(observer.name + " turns the page").atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> {
                    assertThat(observer.page.getByTestId("pager-label").textContent()).startsWith("2 / ");
                    List<String> secondPage = shownTiles(observer.page);
                    Set<String> fresh = new HashSet<>(secondPage);
                    fresh.removeAll(firstPage);
                    assertThat(fresh).as("tiles on page 2 that page 1 did not show (page 1: %s)", firstPage).isNotEmpty();
                });
        browsers.screenshot(observer, "big-meeting-page-2.png");
        System.out.printf("event=big_meeting_done page_size=%d millis=%d%n", pageSize, (System.nanoTime() - start) / 1_000_000);
    }

    private MeetingPage page(Browser browser, String name) {
        MeetingPage p = browsers.keep(MeetingPage.withSimulcast(browser, name, WIDTH, HEIGHT));
        if (!LARGE_CAMERAS.contains(name)) {
            p.page.addInitScript(SMALL_CAMERA);
        }
        return p;
    }

    private static List<String> concat(List<String> flags, String more) {
        List<String> all = new ArrayList<>(flags);
        all.add(more);
        return all;
    }

    @SuppressWarnings("unchecked")
    private static List<String> speakingTiles(Page page) {
        return (List<String>) page.evaluate("() => [...document.querySelectorAll('[data-testid=tile].speaking')]"
                + ".map((t) => t.dataset.participantId)");
    }

    /** Participant ids of the remote tiles on the grid page shown now. */
    @SuppressWarnings("unchecked")
    private static List<String> shownTiles(Page page) {
        return (List<String>) page.evaluate("() => [...document.querySelectorAll('[data-testid=tile]')]"
                + ".filter((t) => !t.hidden).map((t) => t.dataset.participantId)");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> outboundByRid(Page page) {
        return (Map<String, Map<String, Object>>) page.evaluate(OUTBOUND_BY_RID);
    }

    /**
     * The inbound camera videos whose decoded frames rose since {@code framesByMid} (updated to
     * now), by participant: a paused one (a tile on a hidden page) keeps the width it last
     * decoded, so it does not count.
     */
    private static Map<String, Map<String, Object>> decodingVideo(MeetingPage p, Map<String, Double> framesByMid) {
        Map<String, Map<String, Object>> decoding = new HashMap<>();
        for (Map<String, Object> s : p.inbound()) {
            if (!"video".equals(s.get("kind")) || !"camera".equals(s.get("source"))) {
                continue;
            }
            Double was = framesByMid.put((String) s.get("mid"), num(s, "frames"));
            if (was != null && num(s, "frames") > was) {
                decoding.put((String) s.get("participant"), s);
            }
        }
        return decoding;
    }
}
