package dev.convene.control;

import static dev.convene.control.ControlTestSupport.KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.convene.sdp.Direction;
import dev.convene.sdp.SdpParser;
import dev.convene.sdp.SessionDescription;
import dev.convene.sfu.ParticipantSession;
import dev.convene.sfu.PublishResult;
import dev.convene.sfu.SdpRejectedException;
import dev.convene.sfu.SfuConfig;
import dev.convene.sfu.SubscribedTrack;
import dev.convene.sfu.TrackDeclaration;
import dev.convene.sfu.TrackInfo;
import dev.convene.sfu.TrackKind;
import dev.convene.sfu.TrackSource;
import dev.convene.sfu.room.LocalSfuNode;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The real SFU served over the control channel, driven with a publisher offer captured from Chromium. */
class RealSfuEndToEndTest {

    private LocalSfuNode sfu;
    private SfuControlServer server;
    private RemoteSfuNode remote;

    @BeforeEach
    void start() throws Exception {
        sfu = LocalSfuNode.start(new SfuConfig("sfu-1", new InetSocketAddress("127.0.0.1", 0),
                List.of(InetAddress.getLoopbackAddress()), 2_500_000));
        server = SfuControlServer.start(sfu, ControlTestSupport.serverConfig(Duration.ofSeconds(3)));
        remote = RemoteSfuNode.connect(RemoteSfuConfig.of("sfu-1", server.url("127.0.0.1"), "sig-1", KEY));
    }

    @AfterEach
    void stop() {
        remote.close();
        server.close();
        sfu.close();
    }

    @Test
    void chromiumOfferIsAnsweredAndTheTracksReachOtherParticipants() throws Exception {
        RecordingListener earlyListener = new RecordingListener();
        remote.join("meeting-1", "bob", earlyListener);
        RecordingListener aliceListener = new RecordingListener();
        ParticipantSession alice = remote.join("meeting-1", "alice", aliceListener);
        alice.declareTrack(new TrackDeclaration("0", TrackKind.AUDIO, TrackSource.MICROPHONE));
        alice.declareTrack(new TrackDeclaration("1", TrackKind.VIDEO, TrackSource.CAMERA));

        PublishResult result = alice.onPublisherOffer(fixture("publisher-offer-audio-video.sdp"));

        SessionDescription answer = SdpParser.parse(result.sdpAnswer());
        assertThat(answer.isIceLite()).isTrue();
        assertThat(answer.media()).hasSize(2).allSatisfy(m -> assertThat(m.direction()).isEqualTo(Direction.RECVONLY));
        assertThat(result.added()).extracting(TrackInfo::kind).containsExactlyInAnyOrder(TrackKind.AUDIO, TrackKind.VIDEO);
        assertThat(result.added()).allSatisfy(t -> assertThat(t.participantId()).isEqualTo("alice"));
        List<String> aliceTrackIds = result.added().stream().map(TrackInfo::trackId).toList();
        assertThat(alice.publishedTracks()).extracting(TrackInfo::trackId).containsExactlyInAnyOrderElementsOf(aliceTrackIds);

        // Carol joins after alice published: her first subscriber offer carries both of alice's tracks,
        // and the room's tracks as the SFU tells them to her are alice's.
        RecordingListener lateListener = new RecordingListener();
        ParticipantSession carol = remote.join("meeting-1", "carol", lateListener);
        assertThat(carol.roomTracks()).extracting(TrackInfo::trackId).containsExactlyInAnyOrderElementsOf(aliceTrackIds);
        assertThat(carol.roomTracks()).extracting(TrackInfo::mid).containsExactlyInAnyOrder("0", "1");
        await().atMost(Duration.ofSeconds(5)).until(() -> !lateListener.offers.isEmpty());
        RecordingListener.Offer offer = lateListener.offers.getFirst();
        assertThat(offer.tracks()).extracting(SubscribedTrack::track)
                .allSatisfy(t -> assertThat(t.participantId()).isEqualTo("alice"))
                .extracting(TrackInfo::trackId).containsExactlyInAnyOrderElementsOf(aliceTrackIds);
        SessionDescription sdp = SdpParser.parse(offer.sdp());
        assertThat(sdp.isIceLite()).isTrue();
        assertThat(sdp.media()).hasSize(2).allSatisfy(m -> assertThat(m.direction()).isEqualTo(Direction.SENDONLY));
        // Bob was there before alice published. The SFU offers one change at a time and waits for
        // the answer before the next, so his first offer carries the first of alice's tracks.
        await().atMost(Duration.ofSeconds(5)).until(() -> !earlyListener.offers.isEmpty());
        assertThat(earlyListener.offers.getFirst().tracks()).extracting(SubscribedTrack::track)
                .extracting(TrackInfo::trackId).hasSize(1).isSubsetOf(aliceTrackIds);
        assertThat(aliceListener.offers).isEmpty();
        assertThat(sfu.participantCount()).isEqualTo(3);

        assertThatThrownBy(() -> alice.onPublisherOffer("v=0\r\nthis is no offer\r\n"))
                .isInstanceOf(SdpRejectedException.class)
                .hasMessageNotContaining("internal");

        // The signaling node goes away: the SFU frees every seat it held.
        remote.close();
        await().atMost(Duration.ofSeconds(3)).until(() -> sfu.participantCount() == 0);
    }

    @Test
    void whipAndWhepCallsCrossTheControlChannel() throws Exception {
        ParticipantSession alice = remote.join("meeting-1", "alice", new RecordingListener());
        ParticipantSession ingest = remote.join("meeting-1", "ingest", new RecordingListener());
        ingest.receiveNothing();
        alice.onPublisherOffer(fixture("publisher-offer-audio-video.sdp"));
        String playerOffer = String.join("\r\n", "v=0", "o=- 1 1 IN IP4 127.0.0.1", "s=-", "t=0 0",
                "a=group:BUNDLE 0 1", "a=ice-ufrag:wxyz", "a=ice-pwd:0123456789012345678901",
                "a=fingerprint:sha-256 AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89",
                "a=setup:actpass",
                "m=audio 9 UDP/TLS/RTP/SAVPF 109", "c=IN IP4 0.0.0.0", "a=mid:0", "a=recvonly", "a=rtcp-mux",
                "a=rtpmap:109 opus/48000/2",
                "m=video 9 UDP/TLS/RTP/SAVPF 100", "c=IN IP4 0.0.0.0", "a=mid:1", "a=recvonly", "a=rtcp-mux",
                "a=rtpmap:100 VP8/90000", "");
        ParticipantSession player = remote.join("meeting-1", "player", new RecordingListener());

        SessionDescription answer = SdpParser.parse(player.onPlayerOffer(playerOffer, "alice"));

        assertThat(answer.media()).hasSize(2).allSatisfy(m -> assertThat(m.direction()).isEqualTo(Direction.SENDONLY));
        assertThat(answer.media()).extracting(m -> m.payloadTypes().getFirst()).containsExactly(109, 100);
        assertThatThrownBy(() -> player.onPlayerOffer("v=0\r\n", "alice")).isInstanceOf(SdpRejectedException.class);
        remote.close();
        await().atMost(Duration.ofSeconds(3)).until(() -> sfu.participantCount() == 0);
    }

    private static String fixture(String name) throws Exception {
        try (InputStream in = RealSfuEndToEndTest.class.getResourceAsStream("/chromium/" + name)) {
            assertThat(in).as("fixture %s on the test classpath (sdp test-jar)", name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
