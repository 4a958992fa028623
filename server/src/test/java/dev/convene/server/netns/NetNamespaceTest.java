package dev.convene.server.netns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The namespace tooling other tests stand on: addresses, the relay, firewall, impairment, clean-up. */
class NetNamespaceTest {

    private static final String HEALTH = "GET /healthz HTTP/1.0\r\nHost: localhost\r\n\r\n";

    @Test
    void aClientNamespaceReachesTheServerOverVethThroughItsLocalRelayUntilTheFirewallSaysNo() {
        String serverName;
        String clientName;
        try (NetNamespace server = NetNamespace.create("srv"); NetNamespace client = NetNamespace.create("cli")) {
            serverName = server.name();
            clientName = client.name();
            NetNamespace.Veth veth = server.connect(client, "10.77.0.1/24", "10.77.0.2/24");
            assertThat(server.run("ip", "-4", "-o", "address", "show", "dev", veth.device())).contains("10.77.0.1/24");
            assertThat(client.run("ip", "-4", "-o", "address", "show", "dev", veth.peerDevice())).contains("10.77.0.2/24");

            try (NamespacedServer convene = NamespacedServer.start(server, List.of())) {
                assertThat(convene.localUrl()).isEqualTo("http://localhost:8080");
                client.forwardPort(8080, veth.address(), 8080);
                assertThat(client.runWithInput(HEALTH, "socat", "-", "TCP:127.0.0.1:8080"))
                        .startsWith("HTTP/1.1 200").contains("\"status\":\"ok\"");
                try (Playwright playwright = Playwright.create()) {
                    Browser browser = NamespacedChromium.launch(playwright, client);
                    Page page = browser.newPage();
                    page.navigate("http://localhost:8080/healthz");
                    assertThat(page.content()).contains("\"status\":\"ok\"");
                    assertThat((Boolean) page.evaluate("() => window.isSecureContext")).isTrue();
                    browser.close();
                }

                client.nft("""
                        table inet block {
                          chain output {
                            type filter hook output priority 0; policy accept;
                            ip daddr 10.77.0.1 tcp dport 8080 reject with tcp reset
                          }
                        }
                        """);
                assertThatThrownBy(() -> client.runWithInput(HEALTH, "socat", "-", "TCP:10.77.0.1:8080"))
                        .hasMessageContaining("failed");
            }
        }
        assertThat(listNamespaces()).doesNotContain(serverName, clientName);
    }

    @Test
    void aLocalInterfaceGivesANamespaceAnAddressAndADefaultRouteThatLeadsNowhere() {
        try (NetNamespace ns = NetNamespace.create("one")) {
            ns.addLocalInterfaceWithDefaultRoute("eth0", "10.78.0.1/24");
            assertThat(ns.run("ip", "route", "show", "default")).contains("dev eth0");
            assertThat(ns.run("ip", "route", "get", "192.0.2.1")).contains("dev eth0").contains("src 10.78.0.1");
        }
    }

    private static String listNamespaces() {
        try {
            Process p = new ProcessBuilder("ip", "netns", "list").redirectErrorStream(true).start();
            return new String(p.getInputStream().readAllBytes());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
