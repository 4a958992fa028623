package dev.convene.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.convene.client.ConveneClient;
import dev.convene.client.FakeMediaSource;
import dev.convene.client.RemoteTrack;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Simulcast through the real server on loopback: Ada publishes three VP8 layers (320×180,
 * 640×360, 1280×720; SSRCs in {@code a=ssrc-group:SIM}, key frames saying their size). Bob
 * asks for a small tile and must receive the low layer only — its key frames' size, its
 * bitrate — while Cleo, who asks nothing, keeps the top layer; Bob's larger tile brings the top
 * layer within 3 s; paused brings nothing, and resuming brings the picture back.
 */
@Timeout(60)
class JavaClientSimulcastTest {

    private static final Duration SETUP = Duration.ofSeconds(20);

    private JavaClientFixture fixture;

    @AfterEach
    void close() {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void eachSubscriberGetsTheLayerItsTileAsksFor() throws InterruptedException {
        fixture = new JavaClientFixture();
        ConveneClient ada = fixture.join("Ada", ConveneClient.Options.defaults().withSimulcast());
        ConveneClient bob = fixture.join("Bob");
        ConveneClient cleo = fixture.join("Cleo");
        ada.publish();
        FakeMediaSource low = ada.mediaSource().orElseThrow();
        assertThat(low.width()).isEqualTo(320);
        assertThat(ada.simulcastSources()).extracting(FakeMediaSource::width).containsExactly(640, 1280);

        String adaVideo = await().atMost(SETUP).until(() -> bob.remoteTracks().values().stream()
                .filter(t -> t.participantId().equals(ada.participantId()) && t.kind().equals("video"))
                .map(RemoteTrack::trackId).findFirst().orElse(null), id -> id != null);
        bob.setSubscribeSettings(adaVideo, 360, 203, false);

        await().atMost(SETUP).untilAsserted(() -> {
            assertThat(bob.received(ada.participantId(), "video").lastKeyframeWidth()).as("Bob's small tile").isEqualTo(320);
            assertThat(cleo.received(ada.participantId(), "video").lastKeyframeWidth()).as("Cleo, unconstrained")
                    .isEqualTo(1280);
        });

        // Only the low layer's content: Bob's video bitrate is the low layer's, not the sum of layers
        // (the top layer alone sends about 16 times as much), and no other key frame size shows up.
        long sentBefore = low.videoBytesSent();
        long receivedBefore = bob.received(ada.participantId(), "video").payloadBytes();
        await().during(Duration.ofMillis(2500)).atMost(Duration.ofSeconds(4))
                .until(() -> bob.received(ada.participantId(), "video").lastKeyframeWidth() == 320);
        long sent = low.videoBytesSent() - sentBefore;
        long received = bob.received(ada.participantId(), "video").payloadBytes() - receivedBefore;
        assertThat(sent).isPositive();
        assertThat(received).as("bytes received over the window vs. the low layer's %d", sent)
                .isBetween(sent / 2, sent * 3 / 2);

        // A larger tile: the top layer within 3 s (switched at its key frame, asked for at once).
        bob.setSubscribeSettings(adaVideo, 1280, 720, false);
        await().atMost(Duration.ofSeconds(3))
                .until(() -> bob.received(ada.participantId(), "video").lastKeyframeWidth() == 1280);

        // Hidden tile: paused, nothing arrives; shown again, the picture comes back.
        bob.setSubscribeSettings(adaVideo, 640, 360, true);
        long[] last = {-1};
        await().pollInterval(Duration.ofMillis(300)).atMost(Duration.ofSeconds(3)).until(() -> {
            long now = bob.received(ada.participantId(), "video").packets();
            boolean still = now == last[0];
            last[0] = now;
            return still;
        });
        long frozen = last[0];
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2))
                .until(() -> bob.received(ada.participantId(), "video").packets() == frozen);
        assertThat(cleo.received(ada.participantId(), "video").lastKeyframeWidth()).isEqualTo(1280);

        bob.setSubscribeSettings(adaVideo, 640, 360, false);
        await().atMost(Duration.ofSeconds(3)).untilAsserted(() -> {
            assertThat(bob.received(ada.participantId(), "video").packets()).isGreaterThan(frozen + 10);
            assertThat(bob.received(ada.participantId(), "video").lastKeyframeWidth()).isEqualTo(640);
        });
        assertThat(bob.subscriberTransport().orElseThrow().stats().unprotectFailures()).isZero();
    }
}
