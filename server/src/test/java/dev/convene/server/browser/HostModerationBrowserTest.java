package dev.convene.server.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.microsoft.playwright.Locator;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 17's host moderation through the web client (ADR 0016): the meeting's creator sees the
 * host controls, locks the meeting and removes a participant from the people panel; the removed
 * page says it was removed, and joining again is refused with the removal's own message.
 */
class HostModerationBrowserTest {

    @RegisterExtension
    static final BrowserFixture browsers = new BrowserFixture();

    @Test
    void aHostRemovesAPageAndThatPageShowsItWasRemoved() throws Exception {
        MeetingPage alice = browsers.page("Alice");
        String meetingUrl = alice.createMeetingAndJoin(browsers.server().webUrl());
        MeetingPage bob = browsers.page("Bob");
        bob.openAndJoin(meetingUrl);
        await("Alice sees Bob").atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> assertThat(alice.page.getByTestId("tile").count()).isEqualTo(1));

        // Only the host gets host controls.
        alice.page.getByTestId("people-toggle").click();
        bob.page.getByTestId("people-toggle").click();
        alice.page.getByTestId("lock-toggle").waitFor();
        assertThat(bob.page.getByTestId("person-menu").count()).isZero();
        assertThat(bob.page.getByTestId("lock-toggle").count()).isZero();

        alice.page.getByTestId("lock-toggle").click();
        await("locked").atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(alice.page.getByTestId("lock-toggle").getAttribute("data-state")).isEqualTo("on"));
        assertThat(bob.page.evaluate("() => window.convene.rules.locked")).isEqualTo(true);

        Locator bobRow = alice.page.locator("[data-testid=person][data-participant-id='" + bob.participantId + "']");
        bobRow.getByTestId("person-remove").click();

        bob.page.getByTestId("ended-screen").waitFor();
        assertThat(bob.page.getByTestId("ended-screen").getAttribute("data-reason")).isEqualTo("removed");
        assertThat(bob.page.getByTestId("ended-message").textContent()).contains("A host removed you");
        await("Bob's tile goes").atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(alice.page.getByTestId("tile").count()).isZero());

        // Back to the meeting's page: the join is refused with the removal's reason, not the lock's.
        bob.page.navigate(meetingUrl);
        bob.page.getByTestId("join-now-button").click();
        await("refused").atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(bob.page.getByTestId("prejoin-error").textContent()).contains("removed you"));
        assertThat(bob.page.evaluate("() => window.convene.state")).isEqualTo("prejoin");
        assertThat(alice.page.evaluate("() => window.convene.state")).isEqualTo("joined");
    }
}
