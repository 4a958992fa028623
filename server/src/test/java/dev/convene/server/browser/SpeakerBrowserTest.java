package dev.convene.server.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.Page;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The speaking ring from the SFU's {@code active-speakers} (ADR 0022): four pages in a meeting,
 * cameras off to keep it cheap. Three share a Chromium whose fake microphone plays silence, one
 * has a Chromium of its own whose fake microphone plays speech-like bursts
 * ({@link FakeMicrophone}). Every other page shows
 * the ring on the loud page's tile — and on no other.
 */
@Timeout(150)
class SpeakerBrowserTest {

    @RegisterExtension
    static final BrowserFixture browsers = new BrowserFixture();

    @TempDir
    Path dir;

    @Test
    void theLoudPagesTileHasTheSpeakingRingOnEveryOtherPage() throws Exception {
        Path silence = FakeMicrophone.silence(dir.resolve("silence.wav"));
        Path speech = FakeMicrophone.speech(dir.resolve("speech.wav"));
        Browser quiet = browsers.launch(List.of("--use-file-for-fake-audio-capture=" + silence));
        Browser loud = browsers.launch(List.of("--use-file-for-fake-audio-capture=" + speech));

        MeetingPage ann = page(quiet, "Ann");
        ann.page.navigate(browsers.server().webUrl() + "/");
        ann.page.getByTestId("display-name-input").fill("Ann");
        ann.page.getByTestId("new-meeting-button").click();
        ann.page.waitForURL("**/m/*");
        String meetingUrl = ann.page.url();
        ann.joinWithCameraOff();
        MeetingPage bob = page(quiet, "Bob");
        bob.openAndJoinWithCameraOff(meetingUrl);
        MeetingPage cid = page(quiet, "Cid");
        cid.openAndJoinWithCameraOff(meetingUrl);
        MeetingPage dee = page(loud, "Dee");
        dee.openAndJoinWithCameraOff(meetingUrl);

        for (MeetingPage p : List.of(ann, bob, cid)) {
            await(p.name + " sees Dee speaking").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                    .untilAsserted(() -> assertThat(speakingTiles(p.page)).containsExactly(dee.participantId));
        }
        // It stays so: the quiet pages never ring.
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4)).pollInterval(Duration.ofMillis(250))
                .until(() -> List.of(ann, bob, cid).stream()
                        .allMatch(p -> speakingTiles(p.page).equals(List.of(dee.participantId))));
        assertThat(speakingTiles(dee.page)).isEmpty();
        browsers.screenshot(ann, "speaker-ring.png");
    }

    private MeetingPage page(Browser browser, String name) {
        return browsers.keep(MeetingPage.sized(browser, name, 640, 400));
    }

    @SuppressWarnings("unchecked")
    private static List<String> speakingTiles(Page page) {
        return (List<String>) page.evaluate("() => [...document.querySelectorAll('[data-testid=tile].speaking')]"
                + ".map((t) => t.dataset.participantId)");
    }
}
