package dev.convene.server.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One person in a browser test: their own browser profile on the web client, driven through
 * its UI and read through {@code window.convene} (the stable test hook, see web/README.md).
 */
public final class MeetingPage implements AutoCloseable {

    /** inbound-rtp stats of the subscriber connection, each joined with the track its m-line carries. */
    private static final String INBOUND_STATS = """
            async () => {
              const c = window.convene;
              if (!c || !c.subscriberPc) return [];
              const offers = c.frames.filter(f => f.dir === 'in' && f.frame.type === 'offer');
              const tracks = offers.length ? (offers[offers.length - 1].frame.tracks || []) : [];
              const out = [];
              const stats = await c.subscriberPc.getStats();
              stats.forEach(s => {
                if (s.type !== 'inbound-rtp') return;
                const t = tracks.find(t => t.mid === s.mid) || {};
                const codec = s.codecId ? stats.get(s.codecId) : null;
                out.push({kind: s.kind, mid: s.mid || '', participant: t.participant_id || '', source: t.source || '',
                          codec: codec ? codec.mimeType : '',
                          packets: s.packetsReceived || 0, frames: s.framesDecoded || 0,
                          width: s.frameWidth || 0, level: s.audioLevel || 0});
              });
              return out;
            }""";

    /** The remote addresses of the selected ICE pair and of every remote candidate, per peer connection. */
    private static final String ICE_VIEW = """
            async (which) => {
              const pc = which === 'publisher' ? window.convene.publisherPc : window.convene.subscriberPc;
              const sdp = pc.remoteDescription ? pc.remoteDescription.sdp : '';
              const offered = sdp.split(/\\r?\\n/).filter(l => l.startsWith('a=candidate:'))
                  .map(l => l.split(' ')[4]);
              const stats = await pc.getStats();
              let selected = '';
              stats.forEach(s => {
                if (s.type === 'transport' && s.selectedCandidatePairId) {
                  const pair = stats.get(s.selectedCandidatePairId);
                  const remote = pair ? stats.get(pair.remoteCandidateId) : null;
                  if (remote) selected = remote.address || remote.ip || '';
                }
              });
              return {offered, selected};
            }""";

    /**
     * Every numeric field of this page's media stats, flat: {@code in.*} and {@code audioIn.*} of
     * the video and audio inbound-rtp from the participant given (subscriber connection),
     * {@code playout.*} of the audio playout, {@code out.*} of the video outbound-rtp (publisher
     * connection, summed over simulcast layers), and {@code subPair.*} / {@code pubPair.*} of each
     * connection's selected candidate pair (e.g. {@code currentRoundTripTime}). A connection or
     * stream not there yet has no keys.
     */
    private static final String MEDIA_STATS = """
            async (participant) => {
              const c = window.convene;
              const out = {};
              const add = (prefix, s) => {
                for (const [k, v] of Object.entries(s)) {
                  if (typeof v === 'number') out[prefix + k] = (out[prefix + k] || 0) + v;
                }
              };
              const offers = c.frames.filter(f => f.dir === 'in' && f.frame.type === 'offer');
              const tracks = offers.length ? (offers[offers.length - 1].frame.tracks || []) : [];
              const from = s => (tracks.find(t => t.mid === s.mid) || {}).participant_id === participant;
              const read = async (pc, pairPrefix, prefixOf) => {
                if (!pc) return;
                const stats = await pc.getStats();
                stats.forEach(s => {
                  const prefix = prefixOf(s);
                  if (prefix) add(prefix, s);
                  if (s.type === 'transport' && stats.get(s.selectedCandidatePairId)) {
                    add(pairPrefix, stats.get(s.selectedCandidatePairId));
                  }
                });
              };
              await read(c.subscriberPc, 'subPair.', s => s.type === 'inbound-rtp' && from(s)
                  ? (s.kind === 'video' ? 'in.' : 'audioIn.') : s.type === 'media-playout' ? 'playout.' : null);
              await read(c.publisherPc, 'pubPair.',
                  s => s.type === 'outbound-rtp' && s.kind === 'video' ? 'out.' : null);
              return out;
            }""";

    /** Participant ids by display name, of everyone this page heard join. */
    private static final String PEERS = """
            () => {
              const out = {};
              for (const f of window.convene.frames) {
                if (f.dir === 'in' && f.frame.type === 'participant-joined') {
                  out[f.frame.participant.display_name] = f.frame.participant.participant_id;
                }
              }
              return out;
            }""";

    public final String name;
    public final BrowserContext context;
    public final Page page;
    public String participantId;

    /** @param videoCodec the web client's preferred video codec (localStorage "convene.videoCodec"), or null */
    public MeetingPage(Browser browser, String name, String videoCodec) {
        this(browser, name, videoCodec, 1280, 800, false);
    }

    public MeetingPage(Browser browser, String name) {
        this(browser, name, null);
    }

    /**
     * A person whose camera goes out as the web client's three simulcast layers, in a window of
     * its own size (small or large, so its tiles render small or large). The other pages publish
     * one stream (localStorage "convene.simulcast" off): three pages' 720p simulcast encoders in
     * one headless Chromium are more than a shared 2-core test machine encodes in time, and only
     * the simulcast tests need them.
     */
    public static MeetingPage withSimulcast(Browser browser, String name, int viewportWidth, int viewportHeight) {
        return new MeetingPage(browser, name, null, viewportWidth, viewportHeight, true);
    }

    /** A person who publishes one stream, in a window of its own size. */
    public static MeetingPage sized(Browser browser, String name, int viewportWidth, int viewportHeight) {
        return new MeetingPage(browser, name, null, viewportWidth, viewportHeight, false);
    }

    /** A person who only watches (camera off), in a window of its own size, joined to {@code meetingUrl}. */
    public static MeetingPage watcher(Browser browser, String name, int viewportWidth, int viewportHeight,
            String meetingUrl) {
        MeetingPage watcher = sized(browser, name, viewportWidth, viewportHeight);
        watcher.openAndJoinWithCameraOff(meetingUrl);
        return watcher;
    }

    private MeetingPage(Browser browser, String name, String videoCodec, int viewportWidth, int viewportHeight,
            boolean simulcast) {
        this.name = name;
        this.context = browser.newContext(new Browser.NewContextOptions().setViewportSize(viewportWidth, viewportHeight));
        if (videoCodec != null) {
            context.addInitScript("localStorage.setItem('convene.videoCodec', '" + videoCodec + "')");
        }
        if (!simulcast) {
            context.addInitScript("localStorage.setItem('convene.simulcast', 'off')");
        }
        this.page = context.newPage();
        page.onPageError(error -> System.err.println(name + " page error: " + error));
    }

    /** Opens the landing page at {@code baseUrl}, creates a meeting and joins it; returns the meeting's URL. */
    public String createMeetingAndJoin(String baseUrl) {
        String meetingUrl = createMeeting(baseUrl);
        joinFromPrejoin();
        return meetingUrl;
    }

    /** As {@link #createMeetingAndJoin}, with the camera off: the creator only watches. */
    public String createMeetingAndJoinWithCameraOff(String baseUrl) {
        String meetingUrl = createMeeting(baseUrl);
        joinWithCameraOff();
        return meetingUrl;
    }

    /** From the landing page at {@code baseUrl} to the new meeting's pre-join screen; returns the meeting's URL. */
    private String createMeeting(String baseUrl) {
        page.navigate(baseUrl + "/");
        page.getByTestId("display-name-input").fill(name);
        page.getByTestId("new-meeting-button").click();
        page.waitForURL("**/m/*");
        return page.url();
    }

    public void openAndJoin(String meetingUrl) {
        page.navigate(meetingUrl);
        page.getByTestId("display-name-input").fill(name);
        joinFromPrejoin();
    }

    /** Opens the meeting's page and joins with the camera off: a watcher costs the machine no encoder. */
    public void openAndJoinWithCameraOff(String meetingUrl) {
        page.navigate(meetingUrl);
        joinWithCameraOff();
    }

    /** On the pre-join screen: name, camera off, join. */
    public void joinWithCameraOff() {
        page.getByTestId("display-name-input").fill(name);
        page.waitForSelector("[data-testid=prejoin-camera-toggle][data-state=on]");
        page.getByTestId("prejoin-camera-toggle").click();
        joinFromPrejoin();
    }

    public void joinFromPrejoin() {
        page.getByTestId("join-now-button").click();
        page.waitForFunction("() => window.convene && window.convene.state === 'joined'", null,
                new Page.WaitForFunctionOptions().setTimeout(20_000));
        participantId = (String) page.evaluate("() => window.convene.participantId");
    }

    @SuppressWarnings("unchecked")
    public List<Map<String, Object>> inbound() {
        return new ArrayList<>((List<Map<String, Object>>) page.evaluate(INBOUND_STATS));
    }

    /** The first inbound camera video's stats, or zero frames and width (and no codec) before there is one. */
    public Map<String, Object> inboundCamera() {
        return inbound().stream().filter(s -> "video".equals(s.get("kind")) && "camera".equals(s.get("source")))
                .findFirst().orElse(Map.of("frames", 0, "width", 0, "codec", ""));
    }

    /** Participant ids by display name, of everyone this page heard join (WHIP publishers too). */
    @SuppressWarnings("unchecked")
    public Map<String, String> participantIdsByName() {
        return new HashMap<>((Map<String, String>) page.evaluate(PEERS));
    }

    /** {@link #MEDIA_STATS}: this page's media from {@code participantId}, its outbound video, its ICE pairs. */
    @SuppressWarnings("unchecked")
    public Map<String, Double> mediaStats(String participantId) {
        Map<String, Double> out = new HashMap<>();
        ((Map<String, Object>) page.evaluate(MEDIA_STATS, participantId))
                .forEach((k, v) -> out.put(k, ((Number) v).doubleValue()));
        return out;
    }

    /** Per m-line: frames decoded (video) or packets received (audio). */
    public Map<String, Double> progressByMid() {
        Map<String, Double> progress = new HashMap<>();
        for (Map<String, Object> s : inbound()) {
            progress.put((String) s.get("mid"), num(s, "video".equals(s.get("kind")) ? "frames" : "packets"));
        }
        return progress;
    }

    /** The SFU's candidate addresses in the remote description of {@code pc} ("publisher" or "subscriber"). */
    @SuppressWarnings("unchecked")
    public List<String> remoteCandidateAddresses(String pc) {
        return (List<String>) ((Map<String, Object>) page.evaluate(ICE_VIEW, pc)).get("offered");
    }

    /** The remote address of the selected ICE pair of {@code pc}, or "" before one is selected. */
    @SuppressWarnings("unchecked")
    public String selectedRemoteAddress(String pc) {
        return (String) ((Map<String, Object>) page.evaluate(ICE_VIEW, pc)).get("selected");
    }

    /**
     * Waits until this page decodes the camera video of every other person (frames rising past
     * 10, width known) and hears them (audio packets past 20, audio level above 0).
     */
    public void awaitMediaFrom(List<MeetingPage> everyone, Duration timeout) {
        await("media at " + name).atMost(timeout).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            List<Map<String, Object>> stats = inbound();
            for (MeetingPage other : everyone) {
                if (other == this) {
                    continue;
                }
                assertThat(stats).as("%s receives %s's camera", name, other.name).anySatisfy(s -> {
                    assertThat(s.get("participant")).isEqualTo(other.participantId);
                    assertThat(s.get("kind")).isEqualTo("video");
                    assertThat(num(s, "frames")).isGreaterThan(10);
                    assertThat(num(s, "width")).isGreaterThan(0);
                });
                assertThat(stats).as("%s hears %s", name, other.name).anySatisfy(s -> {
                    assertThat(s.get("participant")).isEqualTo(other.participantId);
                    assertThat(s.get("kind")).isEqualTo("audio");
                    assertThat(num(s, "packets")).isGreaterThan(20);
                    assertThat(num(s, "level")).isGreaterThan(0);
                });
            }
        });
    }

    /** Waits until decoded video frames and received audio packets rise on each of the {@code streams} m-lines. */
    public void awaitMediaKeepsFlowing(int streams, Duration timeout) {
        Map<String, Double> before = progressByMid();
        assertThat(before).as("%s's inbound streams", name).hasSize(streams);
        await("media keeps flowing at " + name).atMost(timeout).untilAsserted(() -> {
            Map<String, Double> now = progressByMid();
            before.forEach((mid, count) -> assertThat(now.get(mid)).as("%s mid %s", name, mid).isGreaterThan(count));
        });
    }

    public static double num(Map<String, Object> stats, String key) {
        return ((Number) stats.get(key)).doubleValue();
    }

    @Override
    public void close() {
        context.close();
    }
}
