package dev.convene.server.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Three people meet through the web client's own UI in headless Chromium with fake camera,
 * microphone and screen: every media packet goes through Convene's SFU on loopback.
 */
class BrowserMeetingTest {

    @RegisterExtension
    static final BrowserFixture browsers = new BrowserFixture();

    @Test
    void threePeopleSeeAndHearEachOtherShareAScreenChatAndLeave() throws Exception {
        MeetingPage alice = browsers.page("Alice");
        String meetingUrl = alice.createMeetingAndJoin(browsers.server().webUrl());
        MeetingPage bob = browsers.page("Bob");
        bob.openAndJoin(meetingUrl);
        MeetingPage carol = browsers.page("Carol");
        carol.openAndJoin(meetingUrl);
        List<MeetingPage> everyone = List.of(alice, bob, carol);

        // Everyone sees two remote tiles with the right names.
        for (MeetingPage p : everyone) {
            await("tiles of " + p.name).atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(p.page.getByTestId("tile").count()).isEqualTo(2));
            for (MeetingPage other : everyone) {
                if (other != p) {
                    assertThat(p.page.locator("[data-testid=tile][data-name='" + other.name + "']").count()).isEqualTo(1);
                }
            }
        }

        // Each decodes video from both others and hears both (audio played in <audio>).
        for (MeetingPage p : everyone) {
            p.awaitMediaFrom(everyone, Duration.ofSeconds(30));
        }
        // ... and keeps doing so: decoded video frames and received audio packets rise on every m-line.
        for (MeetingPage p : everyone) {
            p.awaitMediaKeepsFlowing(4, Duration.ofSeconds(10));
        }

        // Alice shares her screen: Bob and Carol see it on the stage and decode it.
        alice.page.getByTestId("screen-share-toggle").click();
        for (MeetingPage p : List.of(bob, carol)) {
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
        browsers.screenshot(alice, "meeting-alice.png");
        browsers.screenshot(bob, "meeting-bob-sees-screen.png");

        // A chat message from each reaches the other two.
        for (MeetingPage p : everyone) {
            p.page.getByTestId("chat-toggle").click();
            p.page.getByTestId("chat-input").fill("hello from " + p.name);
            p.page.getByTestId("chat-send").click();
        }
        for (MeetingPage p : everyone) {
            for (MeetingPage other : everyone) {
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
        for (MeetingPage p : List.of(alice, bob)) {
            await("Carol's tile gone at " + p.name).atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(100))
                    .untilAsserted(() -> assertThat(
                            p.page.locator("[data-testid=tile][data-name='Carol']").count()).isZero());
        }
        assertThat(Duration.ofNanos(System.nanoTime() - left)).isLessThan(Duration.ofSeconds(3));
        for (MeetingPage p : List.of(alice, bob)) {
            await("Carol's tracks end at " + p.name).atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                    assertThat((Boolean) p.page.evaluate("id => {"
                            + " const offers = window.convene.frames.filter(f => f.dir === 'in' && f.frame.type === 'offer');"
                            + " const last = offers[offers.length - 1].frame;"
                            + " return !(last.tracks || []).some(t => t.participant_id === id)"
                            + "   && !window.convene.participants.has(id); }", carol.participantId)).isTrue());
        }
        assertThat(browsers.server().sfu().participantCount()).isEqualTo(2);
    }

    @Test
    void videoGoesThroughAsH264WhenTheBrowsersPreferIt() {
        MeetingPage ada = browsers.page("Ada", "H264");
        String meetingUrl = ada.createMeetingAndJoin(browsers.server().webUrl());
        MeetingPage grace = browsers.page("Grace", "H264");
        grace.openAndJoin(meetingUrl);

        for (MeetingPage p : List.of(ada, grace)) {
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
        return MeetingPage.num(stats, key);
    }
}
