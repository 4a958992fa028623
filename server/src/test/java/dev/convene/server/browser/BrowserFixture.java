package dev.convene.server.browser;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import dev.convene.server.AllInOneServer;
import dev.convene.server.ServerOptions;
import dev.convene.server.netns.NamespacedChromium;
import dev.convene.server.netns.NetNamespace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What a browser test needs, set up once: an all-in-one server on test defaults, headless
 * Chromium with the project's flags ({@link Chromium}), the people's pages, and screenshots in
 * {@code target/artifacts}. Register it in the test class:
 *
 * <pre>
 * &#64;RegisterExtension
 * static final BrowserFixture browsers = new BrowserFixture();
 *
 * &#64;Test
 * void twoPeopleMeet() {
 *     MeetingPage ada = browsers.page("Ada");
 *     String meetingUrl = ada.createMeetingAndJoin(browsers.server().webUrl());
 *     browsers.page("Grace").openAndJoin(meetingUrl);
 *     ...
 *     browsers.screenshot(ada, "two-people.png");
 * }
 * </pre>
 *
 * <p>Lifetimes: Chromium starts at the first page a class asks for and stays up for the class's
 * other tests (a launch costs seconds on a loaded machine); every page, and the server, belong to
 * one test, so a test's assertions on the server (participant counts, sessions) see only its own
 * people. When a test fails, each of its pages is screenshot as {@code <class>.<test>-<name>.png}
 * before it closes.
 */
public final class BrowserFixture implements AfterEachCallback, AfterAllCallback {

    /** Where screenshots go: {@code -Dconvene.artifacts}, else {@code target/artifacts}. */
    public static final Path ARTIFACTS = Path.of(System.getProperty("convene.artifacts", "target/artifacts"));
    private static final double FAILURE_SCREENSHOT_TIMEOUT_MS = 5_000;

    private final Supplier<ServerOptions> serverOptions;
    private Playwright playwright;
    private Browser browser;
    /** Where this test's pages open when it launched a browser in a network namespace. */
    private Browser namespacedBrowser;
    /** Browsers of one test only: closed after it. */
    private final List<Browser> testBrowsers = new ArrayList<>();
    private AllInOneServer server;
    private final List<MeetingPage> pages = new ArrayList<>();
    private final List<AutoCloseable> closeAfterTest = new ArrayList<>();

    /** The server on {@link ServerOptions#forTests()}. */
    public BrowserFixture() {
        this(ServerOptions::forTests);
    }

    /** The server on other options (asked for each test). */
    public BrowserFixture(Supplier<ServerOptions> serverOptions) {
        this.serverOptions = serverOptions;
    }

    /** This test's all-in-one server, started at the first call. */
    public AllInOneServer server() {
        if (server == null) {
            try {
                server = AllInOneServer.start(serverOptions.get());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while the server started", e);
            }
        }
        return server;
    }

    /**
     * Where {@link #page} and its kin open pages: the class's Chromium (with
     * {@code --allow-loopback-in-peer-connection}), or this test's {@link #launchIn namespaced} one.
     */
    public Browser browser() {
        if (namespacedBrowser != null) {
            return namespacedBrowser;
        }
        if (browser == null) {
            browser = Chromium.launch(playwright());
        }
        return browser;
    }

    /**
     * For the rest of this test, pages open in a stock Chromium (no loopback flag) running in
     * {@code ns}, as {@link NamespacedChromium} launches it. Closed after the test, before what
     * the test registered with {@link #closeAfterTest} (e.g. the namespace).
     */
    public Browser launchIn(NetNamespace ns) {
        if (namespacedBrowser != null) {
            throw new IllegalStateException("this test already launched a browser in a namespace");
        }
        namespacedBrowser = NamespacedChromium.launch(playwright(), ns);
        testBrowsers.add(namespacedBrowser);
        return namespacedBrowser;
    }

    /**
     * A Chromium of this test's own, with {@code extraFlags} after the project's (e.g. a fake
     * microphone file); closed after the test. Open its pages with {@link #keep}.
     */
    public Browser launch(List<String> extraFlags) {
        Browser b = Chromium.launch(playwright(), extraFlags);
        testBrowsers.add(b);
        return b;
    }

    /** A person publishing one camera stream (no simulcast), in a 1280×800 window. */
    public MeetingPage page(String name) {
        return keep(new MeetingPage(browser(), name));
    }

    /** A person whose web client prefers {@code videoCodec} ("VP8", "VP9", "H264"). */
    public MeetingPage page(String name, String videoCodec) {
        return keep(new MeetingPage(browser(), name, videoCodec));
    }

    /** A person publishing one stream, in a window of {@code width}×{@code height}. */
    public MeetingPage sizedPage(String name, int width, int height) {
        return keep(MeetingPage.sized(browser(), name, width, height));
    }

    /** A person publishing simulcast, as the web client ships, in a window of {@code width}×{@code height}. */
    public MeetingPage simulcastPage(String name, int width, int height) {
        return keep(MeetingPage.withSimulcast(browser(), name, width, height));
    }

    /**
     * Closes {@code resource} after this test: after its pages and namespaced browser, before its
     * server, in the reverse order of registration (e.g. a network namespace, then what runs in it).
     */
    public <T extends AutoCloseable> T closeAfterTest(T resource) {
        closeAfterTest.add(resource);
        return resource;
    }

    /** Saves what {@code person}'s page shows as {@code fileName} among the artifacts. */
    public void screenshot(MeetingPage person, String fileName) {
        try {
            Files.createDirectories(ARTIFACTS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        person.page.screenshot(new Page.ScreenshotOptions().setPath(ARTIFACTS.resolve(fileName)));
    }

    /**
     * Best effort and quick: a page that hangs (the likely reason the test failed) must not add
     * Playwright's 30 s default per page, nor hide the test's own failure behind its own.
     */
    private static void failureScreenshot(MeetingPage person, String fileName) {
        try {
            Files.createDirectories(ARTIFACTS);
            person.page.screenshot(new Page.ScreenshotOptions().setPath(ARTIFACTS.resolve(fileName))
                    .setTimeout(FAILURE_SCREENSHOT_TIMEOUT_MS));
        } catch (IOException | RuntimeException e) {
            System.err.println("event=failure_screenshot_skipped page=" + person.name + " cause="
                    + e.getClass().getSimpleName());
        }
    }

    private Playwright playwright() {
        if (playwright == null) {
            playwright = Playwright.create();
        }
        return playwright;
    }

    /** Closes {@code page} after this test (a page made on a browser of {@link #launch}). */
    public MeetingPage keep(MeetingPage page) {
        pages.add(page);
        return page;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        List<Throwable> failures = new ArrayList<>();
        if (context.getExecutionException().isPresent()) {
            String prefix = context.getRequiredTestClass().getSimpleName() + "." + context.getRequiredTestMethod().getName();
            for (MeetingPage p : pages) {
                failureScreenshot(p, prefix + "-" + p.name + ".png");
            }
        }
        for (MeetingPage p : pages) {
            run(failures, p::close);
        }
        pages.clear();
        for (Browser b : testBrowsers) {
            run(failures, b::close);
        }
        testBrowsers.clear();
        namespacedBrowser = null;
        for (AutoCloseable c : closeAfterTest.reversed()) {
            run(failures, c::close);
        }
        closeAfterTest.clear();
        if (server != null) {
            run(failures, server::close);
            server = null;
        }
        rethrow(failures);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        List<Throwable> failures = new ArrayList<>();
        if (browser != null) {
            run(failures, browser::close);
            browser = null;
        }
        if (playwright != null) {
            run(failures, playwright::close);
            playwright = null;
        }
        rethrow(failures);
    }

    private interface Step {
        void run() throws Exception;
    }

    /** Runs every clean-up step even when one fails, so one broken page cannot leak a server. */
    private static void run(List<Throwable> failures, Step step) {
        try {
            step.run();
        } catch (Exception | AssertionError e) {
            failures.add(e);
        }
    }

    private static void rethrow(List<Throwable> failures) {
        if (failures.isEmpty()) {
            return;
        }
        IllegalStateException e = new IllegalStateException("browser fixture clean-up failed", failures.getFirst());
        failures.stream().skip(1).forEach(e::addSuppressed);
        throw e;
    }
}
