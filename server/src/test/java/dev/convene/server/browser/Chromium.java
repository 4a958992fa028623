package dev.convene.server.browser;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Playwright;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * Debian's headless chromium, with fake camera, microphone and screen, allowed to use loopback ICE.
 *
 * <p>Browsers run at a lower CPU priority ({@link #NICENESS}) than the test's JVM, which holds the
 * server under test: in a meeting the browsers are on their users' machines, not on the SFU's
 * cores. Twelve pages encoding and decoding video on two cores (BigMeetingBrowserTest) otherwise
 * keep the load average above 30 and starve the SFU's media loop for seconds, which no server
 * shares with its clients. Under contention the browsers still get every cycle the server leaves.
 */
public final class Chromium {

    public static final Path EXECUTABLE = Path.of(System.getProperty("convene.chromium", "/usr/bin/chromium"));

    /** The browsers' {@code nice} value. */
    public static final int NICENESS = 10;

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
                .setExecutablePath(wrapper("chromium", List.of()))
                .setHeadless(true)
                .setArgs(args));
    }

    /**
     * A script for Playwright to start instead of chromium: {@code exec nice -n NICENESS
     * LAUNCHER... chromium "$@"} ({@code launcher} runs it elsewhere, e.g. in a network namespace).
     * Run as root, chromium would raise its own processes' priority (its browser process to nice
     * −8, above the server's JVM), which a stock browser on a user's desktop cannot: so as root the
     * script first drops {@code CAP_SYS_NICE} ({@code setpriv}), and every chromium thread stays at
     * {@link #NICENESS}. The browser talks to Playwright over a pipe, which {@code exec} keeps.
     */
    public static Path wrapper(String name, List<String> launcher) {
        try {
            Path script = Files.createTempFile(name + "-", ".sh",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            List<String> command = new ArrayList<>(List.of("nice", "-n", String.valueOf(NICENESS)));
            command.addAll(launcher);
            command.add(EXECUTABLE.toString());
            String run = String.join(" ", command) + " \"$@\"";
            Files.writeString(script, "#!/bin/sh\n"
                    + "if [ \"$(id -u)\" = 0 ] && command -v setpriv >/dev/null 2>&1; then\n"
                    + "  exec setpriv --bounding-set -sys_nice --inh-caps -sys_nice " + run + "\n"
                    + "fi\n"
                    + "exec " + run + "\n");
            script.toFile().deleteOnExit();
            return script;
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the chromium wrapper " + name, e);
        }
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
