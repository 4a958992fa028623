package dev.convene.server.browser;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Playwright;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Debian's headless chromium, with fake camera, microphone and screen, allowed to use loopback ICE. */
public final class Chromium {

    public static final Path EXECUTABLE = Path.of(System.getProperty("convene.chromium", "/usr/bin/chromium"));

    private Chromium() {}

    static Browser launch(Playwright playwright) {
        return launch(playwright, List.of());
    }

    /** With {@code extraFlags} after the usual ones (e.g. a pinned server key). */
    static Browser launch(Playwright playwright, List<String> extraFlags) {
        requireExecutable();
        List<String> args = new ArrayList<>(flags(true));
        args.addAll(extraFlags);
        return playwright.chromium().launch(new BrowserType.LaunchOptions()
                .setExecutablePath(EXECUTABLE)
                .setHeadless(true)
                .setArgs(args));
    }

    /**
     * The flags of every browser test.
     *
     * @param allowLoopback whether to add {@code --allow-loopback-in-peer-connection}, without
     *     which Chromium ignores 127.0.0.1 candidates (as a stock browser does)
     */
    public static List<String> flags(boolean allowLoopback) {
        List<String> flags = new ArrayList<>(List.of(
                "--no-sandbox",
                "--disable-gpu",
                "--use-fake-ui-for-media-stream",
                "--use-fake-device-for-media-stream",
                "--autoplay-policy=no-user-gesture-required",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run"));
        if (allowLoopback) {
            flags.add(4, "--allow-loopback-in-peer-connection");
        }
        return flags;
    }

    public static void requireExecutable() {
        if (!Files.isExecutable(EXECUTABLE)) {
            throw new IllegalStateException("browser tests need Debian's chromium at " + EXECUTABLE
                    + " (apt-get install chromium), or -Dconvene.chromium=<path>");
        }
    }
}
