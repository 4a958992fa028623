package dev.convene.server.netns;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Playwright;
import dev.convene.server.browser.Chromium;
import java.nio.file.Path;

/**
 * Headless Debian chromium running inside a {@link NetNamespace}, as a stock browser would:
 * the test flags of {@link Chromium} without {@code --allow-loopback-in-peer-connection}, so
 * ICE has to work over the namespace's real addresses.
 */
public final class NamespacedChromium {

    private NamespacedChromium() {}

    /**
     * Launches chromium in {@code ns}. Playwright starts a generated wrapper script
     * ({@code exec nice -n 10 ip netns exec NS chromium "$@"}, {@link Chromium#wrapper}); the
     * browser talks to Playwright over a pipe, so it needs no network outside its namespace.
     */
    public static Browser launch(Playwright playwright, NetNamespace ns) {
        return launch(playwright, ns, false);
    }

    /**
     * As {@link #launch(Playwright, NetNamespace)}, with {@code --allow-loopback-in-peer-connection}
     * when {@code allowLoopback}: a page in the server's namespace then reaches the SFU on loopback,
     * as the tests of the class's own Chromium ({@link Chromium}) do.
     */
    public static Browser launch(Playwright playwright, NetNamespace ns, boolean allowLoopback) {
        Chromium.requireExecutable();
        return playwright.chromium().launch(new BrowserType.LaunchOptions()
                .setExecutablePath(wrapper(ns))
                .setHeadless(true)
                .setArgs(Chromium.flags(allowLoopback)));
    }

    private static Path wrapper(NetNamespace ns) {
        return Chromium.wrapper("chromium-" + ns.name(), ns.launcher());
    }
}
