package dev.convene.server.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.PlaywrightException;
import dev.convene.server.AllInOneServer;
import dev.convene.server.ServerOptions;
import dev.convene.server.TlsOptions;
import dev.convene.tls.TlsIdentity;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The web client over HTTPS and WSS from a server started with {@code --tls self-signed}: Chromium
 * trusts exactly that certificate's key ({@code --ignore-certificate-errors-spki-list}, no blanket
 * ignore), and two people meet and decode each other's media. A browser pinned to another key
 * cannot even load the page.
 */
class BrowserTlsTest {

    private AllInOneServer server;
    private final List<MeetingPage> people = new ArrayList<>();
    private Playwright playwright;

    @AfterEach
    void stop() {
        people.forEach(MeetingPage::close);
        if (server != null) {
            server.close();
        }
        if (playwright != null) {
            playwright.close();
        }
    }

    @Test
    void twoPeopleMeetOverHttpsAndWssWithTheServersKeyPinned() throws Exception {
        TlsOptions tls = TlsOptions.parse("self-signed", null, null, List.of(), null, null, null, null, false,
                List.of(), Clock.systemUTC());
        server = AllInOneServer.start(ServerOptions.forTests().withTls(tls));
        assertThat(server.webUrl()).startsWith("https://127.0.0.1:");
        assertThat(server.banner()).contains("self-signed certificate, SHA-256 " + tls.selfSigned().sha256Fingerprint());

        playwright = Playwright.create();
        TlsIdentity otherKey = TlsIdentity.selfSigned(List.of(), Duration.ofDays(1), Clock.systemUTC());
        Browser wrongPin = Chromium.launch(playwright, List.of("--ignore-certificate-errors-spki-list=" + otherKey.spkiSha256Base64()));
        Page refused = wrongPin.newPage();
        assertThatThrownBy(() -> refused.navigate(server.webUrl() + "/"))
                .isInstanceOf(PlaywrightException.class).hasMessageContaining("ERR_CERT");
        wrongPin.close();

        Browser browser = Chromium.launch(playwright,
                List.of("--ignore-certificate-errors-spki-list=" + tls.selfSigned().spkiSha256Base64()));
        MeetingPage ada = new MeetingPage(browser, "Ada", null);
        people.add(ada);
        String meetingUrl = ada.createMeetingAndJoin(server.webUrl());
        assertThat(meetingUrl).startsWith("https://");
        MeetingPage grace = new MeetingPage(browser, "Grace", null);
        people.add(grace);
        grace.openAndJoin(meetingUrl);

        for (MeetingPage p : List.of(ada, grace)) {
            assertThat(p.page.evaluate("() => window.isSecureContext")).isEqualTo(true);
            assertThat((String) p.page.evaluate("() => window.convene.session.sig.ws.url")).startsWith("wss://127.0.0.1:");
            p.awaitMediaFrom(List.of(ada, grace), Duration.ofSeconds(30));
        }
    }
}
