package dev.convene.server.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import dev.convene.server.netns.NamespacedChromium;
import dev.convene.server.netns.NamespacedServer;
import dev.convene.server.netns.NetNamespace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A browser whose network lets no UDP through to the SFU still meets the others: over ICE-TCP
 * when TCP to the media port is allowed, through a TURN server (coturn, started here) when only
 * TURN is.
 *
 * <pre>
 *  server namespace                                 client namespace
 *  Convene (media UDP+TCP :50000, http :8080)  veth  socat localhost:8080 → 10.77.0.1:8080
 *  coturn 10.77.0.1:3478 (TURN test only)     ◀────▶ Ada's chromium, behind nft
 *  Bob's chromium (plain UDP)                        10.77.0.2
 *  10.77.0.1
 * </pre>
 *
 * Both browsers run without {@code --allow-loopback-in-peer-connection}, and Convene on its
 * default configuration: the SFU announces its veth address, as on a real network.
 */
@Timeout(240)
class RestrictedNetworkBrowserTest {

    private static final String SERVER_ADDRESS = "10.77.0.1";
    private static final String TURN_SECRET = "restricted-network-test-turn-secret";
    private static final int TURN_PORT = 3478;
    private static final Path ARTIFACTS = Path.of(System.getProperty("convene.artifacts", "target/artifacts"));

    /** The selected candidate pair of one of the page's peer connections, as getStats reports it. */
    private static final String SELECTED_PAIR = """
            async (which) => {
              const pc = window.convene[which];
              if (!pc) return null;
              const stats = await pc.getStats();
              let pair = null;
              stats.forEach(s => {
                if (s.type === 'transport' && s.selectedCandidatePairId) pair = stats.get(s.selectedCandidatePairId);
              });
              if (!pair || pair.state !== 'succeeded') return null;
              const l = stats.get(pair.localCandidateId);
              const r = stats.get(pair.remoteCandidateId);
              return {localType: l.candidateType, localProtocol: l.protocol, relayProtocol: l.relayProtocol || '',
                      remoteType: r.candidateType, remoteProtocol: r.protocol, remoteAddress: r.address || r.ip || '',
                      remotePort: String(r.port), bytesSent: pair.bytesSent || 0, bytesReceived: pair.bytesReceived || 0};
            }""";

    private NetNamespace serverNs;
    private NetNamespace clientNs;
    private NamespacedServer server;
    private Playwright playwright;
    private final List<Browser> browsers = new ArrayList<>();

    @BeforeEach
    void network() {
        serverNs = NetNamespace.create("srv");
        clientNs = NetNamespace.create("cli");
        serverNs.connect(clientNs, SERVER_ADDRESS + "/24", "10.77.0.2/24");
    }

    @AfterEach
    void tearDown() {
        browsers.forEach(Browser::close);
        if (playwright != null) {
            playwright.close();
        }
        if (server != null) {
            server.close();
        }
        if (clientNs != null) {
            clientNs.close();
        }
        if (serverNs != null) {
            serverNs.close();
        }
    }

    @Test
    void aPageWhoseUdpIsBlockedConnectsOverIceTcpAndExchangesMediaWithAPageOnUdp() {
        startConvene(List.of());
        clientNs.nft("""
                table inet convene_test {
                  chain output {
                    type filter hook output priority 0; policy accept;
                    ip daddr %s meta l4proto udp drop
                  }
                }
                """.formatted(SERVER_ADDRESS));

        MeetingPage[] pages = meet();
        MeetingPage bob = pages[0];
        MeetingPage ada = pages[1];

        assertMediaBothWays(ada, bob);
        for (String pc : List.of("publisherPc", "subscriberPc")) {
            Map<String, Object> pair = selectedPair(ada, pc);
            assertThat(pair).as("Ada's %s pair", pc)
                    .containsEntry("localProtocol", "tcp")
                    .containsEntry("remoteProtocol", "tcp")
                    .containsEntry("remoteAddress", SERVER_ADDRESS)
                    .containsEntry("remotePort", "50000");
            assertThat(selectedPair(bob, pc)).as("Bob's %s pair", pc).containsEntry("localProtocol", "udp");
        }
        ada.page.screenshot(new Page.ScreenshotOptions().setPath(ARTIFACTS.resolve("ice-tcp-ada.png")));
    }

    @Test
    void aPageAllowedOnlyToReachTurnConnectsThroughItAndExchangesMedia() {
        serverNs.start("turnserver", "-n", "--listening-ip=" + SERVER_ADDRESS, "--relay-ip=" + SERVER_ADDRESS,
                "--listening-port=" + TURN_PORT, "--min-port=49160", "--max-port=49200", "--use-auth-secret",
                "--static-auth-secret=" + TURN_SECRET, "--realm=convene.test", "--fingerprint", "--no-tls", "--no-dtls",
                "--no-cli", "--no-tcp-relay", "--log-file=stdout", "--simple-log", "--pidfile=/tmp/turnserver-test-"
                        + serverNs.name() + ".pid");
        await("coturn listening").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> !serverNs.run("ss", "-Hlun", "sport = :" + TURN_PORT).isBlank());
        startConvene(List.of("--turn-urls", "turn:" + SERVER_ADDRESS + ":" + TURN_PORT + "?transport=udp",
                "--turn-secret", TURN_SECRET, "--turn-ttl", "1h"));
        // Only signaling (through the relay to :8080) and TURN; not the SFU's UDP or TCP media port.
        clientNs.nft("""
                table inet convene_test {
                  chain output {
                    type filter hook output priority 0; policy accept;
                    ip daddr %1$s tcp dport 8080 accept
                    ip daddr %1$s udp dport %2$d accept
                    ip daddr %1$s drop
                  }
                }
                """.formatted(SERVER_ADDRESS, TURN_PORT));

        MeetingPage[] pages = meet();
        MeetingPage bob = pages[0];
        MeetingPage ada = pages[1];

        assertMediaBothWays(ada, bob);
        for (String pc : List.of("publisherPc", "subscriberPc")) {
            assertThat(selectedPair(ada, pc)).as("Ada's %s pair", pc)
                    .containsEntry("localType", "relay")
                    .containsEntry("relayProtocol", "udp")
                    .containsEntry("remoteAddress", SERVER_ADDRESS)
                    .containsEntry("remotePort", "50000");
            assertThat(selectedPair(bob, pc)).as("Bob's %s pair", pc).containsEntry("localType", "host");
        }
        ada.page.screenshot(new Page.ScreenshotOptions().setPath(ARTIFACTS.resolve("turn-ada.png")));
    }

    // ---- helpers ----

    /** Convene on its default configuration (every address of the namespace, UDP and TCP 50000) plus {@code extra}. */
    private void startConvene(List<String> extra) {
        server = NamespacedServer.start(serverNs, extra);
        clientNs.forwardPort(server.httpPort(), SERVER_ADDRESS, server.httpPort());
        playwright = Playwright.create();
    }

    /** Bob (server namespace) creates a meeting; Ada (client namespace) joins it. Returns {bob, ada}. */
    private MeetingPage[] meet() {
        try {
            Files.createDirectories(ARTIFACTS);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        MeetingPage bob = new MeetingPage(browser(serverNs), "Bob");
        String meetingUrl = bob.createMeetingAndJoin(server.localUrl());
        MeetingPage ada = new MeetingPage(browser(clientNs), "Ada");
        ada.openAndJoin(meetingUrl);
        return new MeetingPage[] {bob, ada};
    }

    private Browser browser(NetNamespace ns) {
        Browser browser = NamespacedChromium.launch(playwright, ns);
        browsers.add(browser);
        return browser;
    }

    /** Each decodes the other's camera and hears the other (audio level above 0). */
    private static void assertMediaBothWays(MeetingPage ada, MeetingPage bob) {
        List<MeetingPage> both = List.of(ada, bob);
        for (MeetingPage p : both) {
            p.awaitMediaFrom(both, Duration.ofSeconds(60));
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> selectedPair(MeetingPage page, String pc) {
        Map<String, Object>[] pair = new Map[1];
        await("selected pair of " + page.name + "'s " + pc).atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> (pair[0] = (Map<String, Object>) page.page.evaluate(SELECTED_PAIR, pc)) != null);
        return pair[0];
    }
}
