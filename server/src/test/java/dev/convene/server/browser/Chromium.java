package dev.convene.server.browser;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Playwright;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Debian's headless chromium, with fake camera, microphone and screen, allowed to use loopback ICE. */
final class Chromium {

    static final Path EXECUTABLE = Path.of(System.getProperty("convene.chromium", "/usr/bin/chromium"));

    private Chromium() {}

    static Browser launch(Playwright playwright) {
        if (!Files.isExecutable(EXECUTABLE)) {
            throw new IllegalStateException("browser tests need Debian's chromium at " + EXECUTABLE
                    + " (apt-get install chromium), or -Dconvene.chromium=<path>");
        }
        return playwright.chromium().launch(new BrowserType.LaunchOptions()
                .setExecutablePath(EXECUTABLE)
                .setHeadless(true)
                .setArgs(List.of(
                        "--no-sandbox",
                        "--disable-gpu",
                        "--use-fake-ui-for-media-stream",
                        "--use-fake-device-for-media-stream",
                        "--allow-loopback-in-peer-connection",
                        "--autoplay-policy=no-user-gesture-required",
                        "--disable-background-networking",
                        "--disable-component-update",
                        "--disable-sync",
                        "--no-first-run")));
    }
}
