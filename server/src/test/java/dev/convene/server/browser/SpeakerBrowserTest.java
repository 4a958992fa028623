package dev.convene.server.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.Page;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The speaking ring from the SFU's {@code active-speakers} (ADR 0022): four pages in a meeting,
 * cameras off to keep it cheap. Three share a Chromium whose fake microphone plays silence, one
 * has a Chromium of its own whose fake microphone plays speech-like bursts
 * ({@code --use-file-for-fake-audio-capture}, WAV files the test writes). Every other page shows
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
        Path silence = wav(dir.resolve("silence.wav"), false);
        Path speech = wav(dir.resolve("speech.wav"), true);
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

    /**
     * 10 s of 48 kHz mono 16-bit PCM: silence, or noise in four bursts a second (about
     * -12 dBov at their peak) — speech-like enough that noise suppression keeps it.
     */
    private static Path wav(Path path, boolean loud) throws IOException {
        int rate = 48_000;
        int samples = rate * 10;
        ByteBuffer b = ByteBuffer.allocate(44 + samples * 2).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes()).putInt(36 + samples * 2).put("WAVE".getBytes());
        b.put("fmt ".getBytes()).putInt(16).putShort((short) 1).putShort((short) 1).putInt(rate).putInt(rate * 2)
                .putShort((short) 2).putShort((short) 16);
        b.put("data".getBytes()).putInt(samples * 2);
        Random random = new Random(6464);
        for (int i = 0; i < samples; i++) {
            double t = (double) i / rate;
            double envelope = loud ? Math.abs(Math.sin(2 * Math.PI * 2 * t)) : 0;
            double sample = envelope * (0.5 * Math.sin(2 * Math.PI * 220 * t) + 0.3 * (random.nextDouble() * 2 - 1));
            b.putShort((short) Math.round(sample * 0.5 * Short.MAX_VALUE));
        }
        Files.write(path, b.array());
        return path;
    }
}
