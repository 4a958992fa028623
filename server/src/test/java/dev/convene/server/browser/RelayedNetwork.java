package dev.convene.server.browser;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.Playwright;
import dev.convene.server.impair.NamespacedImpairingRelay;
import dev.convene.server.netns.NamespacedChromium;
import dev.convene.server.netns.NamespacedServer;
import dev.convene.server.netns.NetNamespace;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The rig of the browser tests whose client legs cross an impaired path: two network namespaces
 * joined by a veth; Convene in the server namespace listening for media on loopback and
 * advertising the veth address, where an {@link dev.convene.server.impair.ImpairingRelay}
 * forwards the client namespace's datagrams to it (this kernel has no netem); the HTTP port
 * forwarded into the client namespace; Chromiums launched in either. Closes all of it, in order.
 */
final class RelayedNetwork implements AutoCloseable {

    final String serverAddress;
    final String clientAddress;
    final NetNamespace serverNs;
    final NetNamespace clientNs;
    NamespacedServer server;
    NamespacedImpairingRelay relay;
    private Playwright playwright;
    private final List<Browser> browsers = new ArrayList<>();

    private RelayedNetwork(String serverAddress, String clientAddress, NetNamespace serverNs, NetNamespace clientNs) {
        this.serverAddress = serverAddress;
        this.clientAddress = clientAddress;
        this.serverNs = serverNs;
        this.clientNs = clientNs;
    }

    /** Two namespaces labelled {@code label}-s and {@code label}-c, joined with these /24 addresses. */
    static RelayedNetwork create(String label, String serverAddress, String clientAddress) {
        NetNamespace serverNs = NetNamespace.create(label + "s");
        NetNamespace clientNs = null;
        try {
            clientNs = NetNamespace.create(label + "c");
            serverNs.connect(clientNs, serverAddress + "/24", clientAddress + "/24");
            return new RelayedNetwork(serverAddress, clientAddress, serverNs, clientNs);
        } catch (RuntimeException e) {
            if (clientNs != null) {
                clientNs.close();
            }
            serverNs.close();
            throw e;
        }
    }

    /** Starts Convene, the relay (its loss drawn from {@code relaySeed}) and the HTTP port forward. */
    void start(int mediaPort, long relaySeed) {
        server = NamespacedServer.start(serverNs, List.of("--media-host", "127.0.0.1", "--media-port",
                Integer.toString(mediaPort), "--media-advertise", serverAddress, "--media-tcp-port", "off"));
        relay = NamespacedImpairingRelay.start(serverNs, new InetSocketAddress(serverAddress, mediaPort),
                new InetSocketAddress("127.0.0.1", mediaPort), clientAddress, relaySeed);
        clientNs.forwardPort(server.httpPort(), serverAddress, server.httpPort());
        playwright = Playwright.create();
    }

    /** A stock Chromium in {@code ns}, closed with the rig. */
    Browser launch(NetNamespace ns) {
        return launch(ns, false);
    }

    /**
     * A Chromium in {@code ns}, closed with the rig; with {@code allowLoopback} (in the server's
     * namespace) its pages reach the SFU's 127.0.0.1 candidate directly, not through the relay.
     */
    Browser launch(NetNamespace ns, boolean allowLoopback) {
        Browser b = NamespacedChromium.launch(playwright, ns, allowLoopback);
        browsers.add(b);
        return b;
    }

    @Override
    public void close() {
        browsers.forEach(Browser::close);
        if (playwright != null) {
            playwright.close();
        }
        if (relay != null) {
            relay.close();
        }
        if (server != null) {
            server.close();
        }
        clientNs.close();
        serverNs.close();
    }
}
