package dev.convene.server.browser;

import static dev.convene.server.browser.MeetingPage.num;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The race behind commit 91ce370: a page sends a new participant's tile size
 * ({@code subscribe-settings}) into a signaling socket the server is about to close for a missed
 * heartbeat; the page resumes on a new socket and must send it again, or the SFU, which never got
 * it, keeps forwarding the top simulcast layer to a small tile.
 *
 * <p>Ann watches (camera off) in a small window; Ben joins publishing simulcast. The moment Ann's
 * web client sends its first {@code subscribe-settings} — the one for Ben's new tile, after it
 * answered the subscriber offer that brought his tracks — her socket goes dead from the page's
 * side ({@link #DEAD_SOCKET}): that frame and every later one (pings too) are swallowed, while
 * the page still sees the socket open, as a page whose frames go into a socket the server has
 * given up does. The rest is the product's: the server hears nothing for its heartbeat timeout
 * (10 s), closes the socket with 4408 and detaches Ann for a resume; her client reconnects and
 * resumes. Within {@link #LOW_LAYER_WITHIN} of the resume, Ann must decode Ben's camera at no
 * more than 360 px wide (the low layer, as {@link SimulcastBrowserTest} asserts for a small tile).
 *
 * <p>ICE on loopback: the server runs on {@code ServerOptions.forTests()} (media on 127.0.0.1
 * only), so Chromium needs {@code --allow-loopback-in-peer-connection}, as {@link BrowserFixture}
 * gives every browser test on that server, {@link SimulcastBrowserTest} included. That is the
 * test's network, not the product's ({@link DefaultsBrowserTest} runs stock Chromium).
 */
@Timeout(90)
class ResumeSubscribeSettingsBrowserTest {

    /** From the resume to Ann decoding the low layer: a switch down waits for a key frame of it. */
    private static final Duration LOW_LAYER_WITHIN = Duration.ofSeconds(5);

    /**
     * Installed in Ann's page before the client loads. Once {@code armed}, the first
     * {@code subscribe-settings} a WebSocket is asked to send kills that socket: it and every later
     * frame of that socket are dropped. Sockets opened later (the resume) are untouched. Records
     * what was dropped and how the dead socket closed.
     */
    private static final String DEAD_SOCKET = """
            (() => {
              const send = WebSocket.prototype.send;
              const dead = new WeakSet();
              const w = window.__deadSocket = { armed: false, killedBy: null, diedAt: 0, dropped: [], closeCode: 0, closedAt: 0 };
              WebSocket.prototype.send = function (data) {
                let type = '';
                try { type = JSON.parse(data).type; } catch { /* not ours */ }
                if (!dead.has(this) && w.armed && type === 'subscribe-settings') {
                  dead.add(this);
                  w.armed = false;
                  w.killedBy = JSON.parse(data);
                  w.diedAt = Date.now();
                  this.addEventListener('close', (e) => { w.closeCode = e.code; w.closedAt = Date.now(); });
                }
                if (dead.has(this)) { w.dropped.push(type); return; }
                return send.call(this, data);
              };
            })();""";

    /** Ann's state after the dead socket closed: whether her client resumed, and what it sent since. */
    private static final String RESUMED = """
            () => {
              const c = window.convene;
              const w = window.__deadSocket;
              const resumed = c.frames.find(f => f.dir === 'in' && f.frame.type === 'resumed' && f.at >= w.closedAt);
              return { state: c.session.state, resumedAt: resumed ? resumed.at : 0,
                       settingsSince: resumed ? c.frames.filter(f => f.dir === 'out' && f.at >= resumed.at
                           && f.frame.type === 'subscribe-settings').map(f => f.frame) : [] };
            }""";

    @RegisterExtension
    static final BrowserFixture browsers = new BrowserFixture();

    @Test
    void aTileSizeSentIntoASocketTheServerDroppedGoesAgainAfterTheResume() {
        long start = System.nanoTime();
        MeetingPage ann = browsers.sizedPage("Ann", 480, 360);
        ann.page.addInitScript(DEAD_SOCKET);
        String meetingUrl = ann.createMeetingAndJoinWithCameraOff(browsers.server().webUrl());
        ann.page.evaluate("() => { window.__deadSocket.armed = true; }");

        MeetingPage ben = browsers.simulcastPage("Ben", 1280, 800);
        ben.openAndJoin(meetingUrl);

        // Ann's tile of Ben sends its size: that frame kills her socket.
        await("Ann's first subscribe-settings kills her socket").atMost(Duration.ofSeconds(15))
                .pollInterval(Duration.ofMillis(100)).until(() -> deadSocket(ann).get("killedBy") != null);
        String bensCamera = (String) ann.page.evaluate("""
                (id) => {
                  const p = window.convene.participants.get(id);
                  const t = p && p.tracks.find(t => t.source === 'camera');
                  return t ? t.track_id : null;
                }""", ben.participantId);
        @SuppressWarnings("unchecked")
        Map<String, Object> killedBy = (Map<String, Object>) deadSocket(ann).get("killedBy");
        assertThat(killedBy.get("track_id")).as("the dropped subscribe-settings (%s) is for Ben's camera", killedBy)
                .isEqualTo(bensCamera);
        assertThat(num(killedBy, "max_width")).as("Ann's tile of Ben is small").isBetween(1.0, 360.0);

        // The server hears nothing more on it and closes it for the missed heartbeat; Ann resumes.
        // Meanwhile the SFU knows no size for Ann's tile of Ben, so it forwards the top layer it can.
        AtomicLong widestBeforeResume = new AtomicLong();
        await("the server closes Ann's dead socket and she resumes").atMost(Duration.ofSeconds(25))
                .pollInterval(Duration.ofMillis(250)).until(() -> {
                    widestBeforeResume.accumulateAndGet((long) num(cameraOf(ann, ben), "width"), Math::max);
                    Map<String, Object> r = resumed(ann);
                    return num(r, "resumedAt") > 0 && "joined".equals(r.get("state"));
                });
        Map<String, Object> dead = deadSocket(ann);
        assertThat(num(dead, "closeCode")).as("how the server closed Ann's dead socket").isEqualTo(4408.0);
        assertThat(widestBeforeResume.get()).as("Ann's widest decoded width of Ben before the resume: the SFU had no size "
                + "for her tile (else this test did not race the failure it is about)").isGreaterThan(360);
        long resumedAt = (long) num(resumed(ann), "resumedAt");

        // Back on a new socket, her small tile must get the low layer.
        double framesAtResume = num(cameraOf(ann, ben), "frames");
        AtomicLong width = new AtomicLong();
        await("Ann decodes Ben's low layer after the resume").atMost(LOW_LAYER_WITHIN)
                .pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
                    Map<String, Object> s = cameraOf(ann, ben);
                    width.set((long) num(s, "width"));
                    assertThat(num(s, "frames")).as("frames decoded since the resume").isGreaterThan(framesAtResume + 5);
                    assertThat(num(s, "width")).as("Ann's decoded width of Ben; subscribe-settings sent since the resume: %s",
                            resumed(ann).get("settingsSince")).isBetween(1.0, 360.0);
                });
        long lowAfter = ((Number) ann.page.evaluate("() => Date.now()")).longValue() - resumedAt;
        System.out.printf("event=resume_race_measured dropped=%s close_code=%d widest_before_resume=%d width_after_resume=%d "
                + "low_layer_within_ms=%d settings_since_resume=%s test_millis=%d%n", dead.get("dropped"),
                (long) num(dead, "closeCode"), widestBeforeResume.get(), width.get(), lowAfter,
                resumed(ann).get("settingsSince"), (System.nanoTime() - start) / 1_000_000);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> deadSocket(MeetingPage p) {
        return (Map<String, Object>) p.page.evaluate("() => window.__deadSocket");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> resumed(MeetingPage p) {
        return (Map<String, Object>) p.page.evaluate(RESUMED);
    }

    /** What {@code watcher} decodes of {@code publisher}'s camera (zero frames and width before it is there). */
    private static Map<String, Object> cameraOf(MeetingPage watcher, MeetingPage publisher) {
        Map<String, Object> s = watcher.inboundCamera();
        return publisher.participantId.equals(s.get("participant")) ? s : Map.of("frames", 0, "width", 0);
    }
}
