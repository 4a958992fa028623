package dev.convene.server.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.convene.server.netns.NamespacedServer;
import dev.convene.server.netns.NetNamespace;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A new user's first try: the server on its default configuration (media on the wildcard
 * address, nothing advertised) and stock headless Chromium — without the loopback flag, so it
 * ignores 127.0.0.1 candidates — on a host whose one network card is not loopback. Both run in
 * a network namespace the test creates, so the machine's own network is never used.
 */
class DefaultsBrowserTest {

    private static final String HOST_ADDRESS = "10.79.0.1";
    /** A second network card: the SFU must announce and answer on both. */
    private static final String SECOND_ADDRESS = "10.79.1.1";

    @RegisterExtension
    static final BrowserFixture browsers = new BrowserFixture();

    @Test
    void threeStockBrowsersMeetSeeAndHearEachOtherOnTheDefaultConfiguration() {
        NetNamespace host = browsers.closeAfterTest(NetNamespace.create("def"));
        host.addLocalInterfaceWithDefaultRoute("eth0", HOST_ADDRESS + "/24");
        host.run("ip", "link", "add", "eth1", "type", "veth", "peer", "name", "eth1-p");
        host.run("ip", "link", "set", "eth1-p", "up");
        host.addAddress("eth1", SECOND_ADDRESS + "/24");
        NamespacedServer server = browsers.closeAfterTest(NamespacedServer.start(host, List.of()));
        assertThat(server.localUrl()).isEqualTo("http://localhost:8080");
        browsers.launchIn(host);

        // The web client as shipped, simulcast included: this test is about the defaults.
        MeetingPage alice = browsers.simulcastPage("Alice", 1280, 800);
        String meetingUrl = alice.createMeetingAndJoin(server.localUrl());
        MeetingPage bob = browsers.simulcastPage("Bob", 1280, 800);
        bob.openAndJoin(meetingUrl);
        MeetingPage carol = browsers.simulcastPage("Carol", 1280, 800);
        carol.openAndJoin(meetingUrl);
        List<MeetingPage> everyone = List.of(alice, bob, carol);

        for (MeetingPage p : everyone) {
            p.awaitMediaFrom(everyone, Duration.ofSeconds(40));
        }
        for (MeetingPage p : everyone) {
            p.awaitMediaKeepsFlowing(4, Duration.ofSeconds(10));
            for (String pc : List.of("publisher", "subscriber")) {
                assertThat(p.remoteCandidateAddresses(pc)).as("%s's %s candidates from the SFU", p.name, pc)
                        .isNotEmpty()
                        .noneMatch(address -> address.startsWith("127.") || address.equals("::1"))
                        .containsOnly(HOST_ADDRESS, SECOND_ADDRESS)
                        .contains(HOST_ADDRESS, SECOND_ADDRESS);
                await(p.name + "'s selected pair").atMost(Duration.ofSeconds(5))
                        .untilAsserted(() -> assertThat(p.selectedRemoteAddress(pc)).isIn(HOST_ADDRESS, SECOND_ADDRESS));
            }
        }
        assertThat(server.isAlive()).isTrue();
        assertThat(String.join("\n", server.output())).contains("event=media_socket_bound")
                .doesNotContain("/127.0.0.1:50000");
    }
}
