package dev.convene.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.convene.client.ClientSdp;
import dev.convene.client.ConveneClient;
import dev.convene.client.LocalTrack;
import dev.convene.client.MediaTransportClient;
import dev.convene.client.SignalingException;
import dev.convene.sdp.SessionDescription;
import dev.convene.sdp.Setup;
import dev.convene.signaling.SignalingConfig;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A subscriber description of a meeting of 150 goes end to end (ADR 0034): six publishers offer
 * 50 tracks each (25 Opus, 25 VP8 with RTX) over a real all-in-one server, so one Java-client
 * subscriber is offered 300 m-lines by the SFU, answers them (well over the 64 KiB every other
 * frame is held to), signaling passes the answer, the SFU applies it and the subscriber's
 * DTLS connects with the fingerprint it carried. Frames over the limits still get a clear
 * {@code frame_too_large} and the socket stays usable. No media is sent: this is about the
 * descriptions, the 100-participant load run is about the media.
 */
@Timeout(120)
class LargeMeetingSdpTest {

    private static final int PUBLISHERS = 6;
    private static final int TRACKS_PER_PUBLISHER = 50;
    private static final int TRACKS = PUBLISHERS * TRACKS_PER_PUBLISHER;
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private JavaClientFixture fixture;
    private final List<MediaTransportClient> transports = new ArrayList<>();

    @BeforeEach
    void startServer() throws InterruptedException {
        fixture = new JavaClientFixture();
    }

    @AfterEach
    void close() {
        transports.forEach(MediaTransportClient::close);
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void aSubscriberOfThreeHundredTracksIsOfferedAnsweredAndConnectedAndOversizedFramesAreStillRefused() throws Exception {
        ConveneClient viewer = fixture.join("Viewer", receiveOnly());
        for (int p = 0; p < PUBLISHERS; p++) {
            publishWide(fixture.join("Wide " + p, receiveOnly()), p);
        }

        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(viewer.remoteTracks()).as("tracks the viewer was offered").hasSize(TRACKS);
            List<CompletableFuture<ObjectNode>> replies = viewer.subscriberAnswerReplies();
            assertThat(replies).isNotEmpty().allSatisfy(r -> assertThat(r).isCompleted());
            assertThat(viewer.subscriberTransport()).hasValueSatisfying(t -> assertThat(t.isConnected()).isTrue());
        });
        for (CompletableFuture<ObjectNode> reply : viewer.subscriberAnswerReplies()) {
            assertThat(reply.get().path("type").asText()).as("reply to an answer").isEqualTo("ack");
        }
        List<ObjectNode> offers = viewer.frames("offer");
        String lastOffer = offers.getLast().path("sdp").asText();
        SessionDescription offer = ClientSdp.parse(lastOffer);
        assertThat(offer.media()).hasSize(TRACKS);
        // The answer the client sent for it, rebuilt: what signaling and the SFU took.
        String answer = ClientSdp.subscriberAnswer(1, 1, offer, viewer.subscriberTransport().orElseThrow(), Setup.ACTIVE);
        System.out.printf("event=large_sdp tracks=%d offer_chars=%d answer_chars=%d offers=%d%n", TRACKS,
                lastOffer.length(), answer.length(), offers.size());
        assertThat(answer.length()).as("the answer is beyond the limit of every other frame")
                .isGreaterThan(SignalingConfig.DEFAULT_MAX_FRAME_BYTES);

        var signaling = viewer.signaling();
        String pad = "x".repeat(SignalingConfig.DEFAULT_MAX_FRAME_BYTES);
        assertThatThrownBy(() -> signaling.request(signaling.newFrame("chat").put("text", pad)).get(10, TimeUnit.SECONDS))
                .hasCauseInstanceOf(SignalingException.class)
                .cause().satisfies(e -> {
                    assertThat(((SignalingException) e).code()).isEqualTo("frame_too_large");
                    assertThat(e.getMessage()).contains("65536 bytes");
                });
        String huge = "x".repeat(SignalingConfig.MAX_ANSWER_FRAME_BYTES);
        assertThatThrownBy(() -> signaling.request(signaling.newFrame("answer").put("pc", "subscriber").put("sdp", huge))
                .get(10, TimeUnit.SECONDS))
                .cause().satisfies(e -> assertThat(((SignalingException) e).code()).isEqualTo("frame_too_large"));
        assertThat(signaling.request(signaling.newFrame("ping")).get(10, TimeUnit.SECONDS).path("type").asText())
                .isEqualTo("pong");
        assertThat(viewer.subscriberTransport().orElseThrow().isConnected()).isTrue();
    }

    /** A participant that publishes nothing itself (the wide publishers publish by hand). */
    private static ConveneClient.Options receiveOnly() {
        return new ConveneClient.Options(Duration.ofSeconds(20), 0, false, false, false, true, true,
                UnaryOperator.identity(), UnaryOperator.identity(), true);
    }

    /** Publishes {@link #TRACKS_PER_PUBLISHER} tracks in one offer, as a client with many sources would, and connects. */
    private void publishWide(ConveneClient client, int index) throws Exception {
        MediaTransportClient transport = MediaTransportClient.open("wide-" + index, InetAddress.getLoopbackAddress());
        transports.add(transport);
        List<LocalTrack> tracks = new ArrayList<>();
        for (int i = 0; i < TRACKS_PER_PUBLISHER; i++) {
            long ssrc = 0x10000000L + index * 1000L + i * 2L;
            boolean audio = i % 2 == 0;
            tracks.add(new LocalTrack(Integer.toString(i), audio ? "audio" : "video", audio ? "microphone" : "camera", ssrc,
                    audio ? 0 : ssrc + 1, audio ? ClientSdp.OPUS_PAYLOAD_TYPE : ClientSdp.VP8_PAYLOAD_TYPE, null));
        }
        String offer = ClientSdp.publisherOffer(index + 1, 1, transport, "wide-" + index, "cname-wide-" + index, tracks);
        var signaling = client.signaling();
        ObjectNode reply = signaling.request(signaling.newFrame("offer").put("pc", "publisher").put("sdp", offer))
                .get(20, TimeUnit.SECONDS);
        assertThat(reply.path("tracks")).hasSize(TRACKS_PER_PUBLISHER);
        transport.connect(ClientSdp.remoteTransport(ClientSdp.parse(reply.path("sdp").asText())), Duration.ofSeconds(20));
    }
}
