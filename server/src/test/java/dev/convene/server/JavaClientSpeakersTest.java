package dev.convene.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.convene.client.ConveneClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Twelve Java clients in one meeting through the real server on loopback (ADR 0022), each
 * publishing audio with RFC 6464 levels and video, each asking for at most 3 videos (last-N);
 * the last to join publishes three simulcast layers, and nobody has it in its last-N. Two are loud,
 * the others silent: {@code active-speakers} names the loud ones, a third who starts talking is
 * named within 1 s, every subscriber receives at most the 5 loudest non-silent audio streams
 * (here: only the speakers) and at most 3 videos, and the layers nobody receives are paused at
 * their publisher (the participant outside everyone's last-N sends no video at all), while a
 * watched one's are not.
 */
@Timeout(120)
class JavaClientSpeakersTest {

    private static final Logger log = LoggerFactory.getLogger(JavaClientSpeakersTest.class);
    private static final Duration SETUP = Duration.ofSeconds(30);
    private static final int PARTICIPANTS = 12;
    private static final int LAST_N = 3;
    private static final int LOUD = -20;
    private static final int SILENT = -127;

    private JavaClientFixture fixture;

    @AfterEach
    void close() {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void speakersAudioLastNAndDynacast() throws Exception {
        fixture = new JavaClientFixture();
        List<ConveneClient> clients = new ArrayList<>();
        for (int i = 0; i < PARTICIPANTS; i++) {
            // Generous timeouts: twelve clients' DTLS handshakes share two cores with the server.
            ConveneClient.Options options = ConveneClient.Options.defaults().withTimeout(SETUP);
            options = i == PARTICIPANTS - 1 ? options.withSimulcast() : options;
            ConveneClient c = fixture.join("P" + i, options);
            c.setLastN(LAST_N);
            clients.add(c);
        }
        for (ConveneClient c : clients) {
            c.publish();
            c.setAudioLevel(SILENT);
        }
        ConveneClient watched = clients.get(0);
        ConveneClient loud1 = clients.get(1);
        ConveneClient loud2 = clients.get(2);
        ConveneClient talker = clients.get(3);
        ConveneClient observer = clients.get(7);
        ConveneClient unseen = clients.get(PARTICIPANTS - 1);

        // Everyone receives every track (m-lines).
        for (ConveneClient c : clients) {
            await().atMost(SETUP).until(() -> c.remoteTracks().size() == 2 * (PARTICIPANTS - 1)
                    && c.subscriberTransport().map(t -> t.isConnected()).orElse(false));
        }

        loud1.setAudioLevel(LOUD);
        loud2.setAudioLevel(LOUD);
        await().atMost(Duration.ofSeconds(3)).untilAsserted(() -> {
            for (ConveneClient c : clients) {
                assertThat(c.activeSpeakers()).as("speakers seen by %s", c.displayName())
                        .containsExactlyInAnyOrder(loud1.participantId(), loud2.participantId());
            }
        });

        // A third starts talking: named within 1 s.
        CompletableFuture<Long> named = new CompletableFuture<>();
        observer.onActiveSpeakers(ids -> {
            if (ids.contains(talker.participantId())) {
                named.complete(System.nanoTime());
            }
        });
        long spoke = System.nanoTime();
        talker.setAudioLevel(LOUD);
        long latencyMillis = TimeUnit.NANOSECONDS.toMillis(named.get(5, TimeUnit.SECONDS) - spoke);
        log.info("event=speaker_latency millis={}", latencyMillis);
        assertThat(latencyMillis).as("active-speakers names the new talker").isLessThan(1000);

        // Over a window: at most 5 audio streams (here exactly the three speakers), at most 3 videos.
        Map<ConveneClient, Map<String, long[]>> before = snapshot(clients);
        await().pollDelay(Duration.ofMillis(1500)).until(() -> true);
        Map<ConveneClient, Map<String, long[]>> after = snapshot(clients);
        List<String> speakers = List.of(loud1.participantId(), loud2.participantId(), talker.participantId());
        for (ConveneClient c : clients) {
            List<String> audioFrom = new ArrayList<>();
            List<String> videoFrom = new ArrayList<>();
            for (String p : after.get(c).keySet()) {
                if (after.get(c).get(p)[0] > before.get(c).get(p)[0]) {
                    audioFrom.add(p);
                }
                if (after.get(c).get(p)[1] > before.get(c).get(p)[1] + 5) {
                    videoFrom.add(p);
                }
            }
            List<String> others = speakers.stream().filter(s -> !s.equals(c.participantId())).toList();
            assertThat(audioFrom).as("audio received by %s", c.displayName()).hasSizeLessThanOrEqualTo(5)
                    .containsExactlyInAnyOrderElementsOf(others);
            assertThat(videoFrom).as("videos received by %s", c.displayName()).hasSizeLessThanOrEqualTo(LAST_N)
                    .isNotEmpty();
            if (c != talker) {
                assertThat(videoFrom).as("the newest speaker is in %s's last-N", c.displayName())
                        .contains(talker.participantId());
            }
        }

        // Dynacast: nobody has the last participant (silent, joined last) in its last-N: all its
        // simulcast layers are paused at the publisher, and its fake encoders send nothing more.
        await().atMost(Duration.ofSeconds(6)).untilAsserted(() -> {
            assertThat(unseen.layersRequested()).containsValue(List.of(false, false, false));
            assertThat(unseen.mediaSource().orElseThrow().videoPaused()).isTrue();
            assertThat(unseen.simulcastSources()).allMatch(s -> s.videoPaused());
        });
        long lowBefore = unseen.mediaSource().orElseThrow().videoBytesSent();
        long topBefore = unseen.simulcastSources().get(1).videoBytesSent();
        await().pollDelay(Duration.ofMillis(500)).until(() -> true);
        assertThat(unseen.mediaSource().orElseThrow().videoBytesSent()).isEqualTo(lowBefore);
        assertThat(unseen.simulcastSources().get(1).videoBytesSent()).isEqualTo(topBefore);
        assertThat(watched.layersRequested().values()).as("the first to join is in everyone's last-N")
                .allMatch(layers -> !layers.contains(false));
        assertThat(watched.mediaSource().orElseThrow().videoPaused()).isFalse();
    }

    /** Per client, per other participant: {audio packets, video packets} received so far. */
    private static Map<ConveneClient, Map<String, long[]>> snapshot(List<ConveneClient> clients) {
        Map<ConveneClient, Map<String, long[]>> all = new HashMap<>();
        for (ConveneClient c : clients) {
            Map<String, long[]> mine = new HashMap<>();
            for (ConveneClient other : clients) {
                if (other != c) {
                    mine.put(other.participantId(), new long[] {c.received(other.participantId(), "audio").packets(),
                            c.received(other.participantId(), "video").packets()});
                }
            }
            all.put(c, mine);
        }
        return all;
    }
}
