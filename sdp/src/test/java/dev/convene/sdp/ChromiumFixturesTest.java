package dev.convene.sdp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/** Parses the SDPs Chromium 150 wrote and checks what the SFU will read from them. */
class ChromiumFixturesTest {
    static final List<String> FIXTURES = Fixtures.ALL;

    @ParameterizedTest
    @FieldSource("FIXTURES")
    void roundTripIsByteExact(String name) throws SdpParseException {
        String text = Fixtures.text(name);
        assertThat(text).endsWith("\r\n");

        SessionDescription sdp = SdpParser.parse(text);

        assertThat(sdp.toString()).isEqualTo(text);
        assertThat(SdpParser.parse(sdp.toString())).isEqualTo(sdp);
        assertThat(sdp.toBuilder().build().toString()).isEqualTo(text);
        for (MediaDescription m : sdp.media()) {
            assertThat(m.toBuilder().build()).isEqualTo(m);
        }
    }

    @Test
    void everyFixtureInTheFolderIsTested() throws IOException, URISyntaxException {
        Path dir = Path.of(Fixtures.class.getResource("/chromium").toURI());
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".sdp")))
                    .containsExactlyInAnyOrderElementsOf(FIXTURES);
        }
    }

    @Test
    void publisherOfferHasSendonlyAudioAndVideoBundled() {
        SessionDescription sdp = Fixtures.parsed(Fixtures.AUDIO_VIDEO);

        assertThat(sdp.origin().username()).isEqualTo("-");
        assertThat(sdp.origin().sessionVersion()).isEqualTo("2");
        assertThat(sdp.sessionName()).isEqualTo("-");
        assertThat(sdp.timing()).isEqualTo(Timing.UNBOUNDED);
        assertThat(sdp.isIceLite()).isFalse();
        assertThat(sdp.mids()).containsExactly("0", "1");
        assertThat(sdp.bundleGroup()).contains(Group.bundle(List.of("0", "1")));
        assertThat(sdp.hasAttribute("extmap-allow-mixed")).isTrue();
        assertThat(sdp.attributeValue("msid-semantic")).hasValueSatisfying(v -> assertThat(v).startsWith(" WMS "));

        MediaDescription audio = sdp.media("0").orElseThrow();
        MediaDescription video = sdp.media("1").orElseThrow();
        assertThat(audio.type()).isEqualTo(MediaDescription.AUDIO);
        assertThat(video.type()).isEqualTo(MediaDescription.VIDEO);
        assertThat(audio.proto()).isEqualTo(MediaDescription.WEBRTC_PROTO);
        assertThat(List.of(audio.direction(), video.direction())).containsOnly(Direction.SENDONLY);
        assertThat(audio.connection()).hasValueSatisfying(c -> assertThat(c.address()).isEqualTo("127.0.0.1"));
        assertThat(video.connection()).contains(new Connection("IN", "IP4", "0.0.0.0"));
        assertThat(video.port()).isEqualTo(9);
    }

    @Test
    void publisherOfferTransportAttributes() {
        SessionDescription sdp = Fixtures.parsed(Fixtures.AUDIO_VIDEO);
        MediaDescription audio = sdp.media().get(0);
        MediaDescription video = sdp.media().get(1);

        for (MediaDescription m : sdp.media()) {
            assertThat(m.iceUfrag()).isPresent().isEqualTo(audio.iceUfrag());
            assertThat(m.icePwd()).hasValueSatisfying(p -> assertThat(p.length()).isGreaterThanOrEqualTo(22));
            assertThat(m.iceOptions()).containsExactly("trickle");
            assertThat(m.setup()).contains(Setup.ACTPASS);
            assertThat(m.rtcpMux()).isTrue();
            assertThat(m.rtcpRsize()).isTrue();
            assertThat(m.fingerprint()).hasValueSatisfying(f -> {
                assertThat(f.algorithm()).isEqualTo("sha-256");
                assertThat(f.bytes()).hasSize(32);
            });
        }
        // Chromium gathers on the first bundled m-line only.
        List<Candidate> candidates = audio.candidates();
        assertThat(candidates).hasSize(8);
        assertThat(video.candidates()).isEmpty();
        assertThat(audio.endOfCandidates()).isFalse();
        Candidate loopback = candidates.stream()
                .filter(c -> c.address().equals("127.0.0.1") && c.isUdp()).findFirst().orElseThrow();
        assertThat(loopback.component()).isEqualTo(1);
        assertThat(loopback.type()).isEqualTo(Candidate.HOST);
        assertThat(loopback.port()).isEqualTo(audio.port());
        assertThat(loopback.extensions()).containsEntry("generation", "0").containsKey("network-id");
        assertThat(candidates).filteredOn(c -> !c.isUdp())
                .allSatisfy(c -> assertThat(c.extensions()).containsEntry("tcptype", "active"));
    }

    @Test
    void publisherOfferCodecs() {
        SessionDescription sdp = Fixtures.parsed(Fixtures.AUDIO_VIDEO);
        MediaDescription audio = sdp.media().get(0);
        MediaDescription video = sdp.media().get(1);

        assertThat(audio.payloadTypes()).containsExactly(111, 63, 9, 0, 8, 13, 110, 126);
        assertThat(audio.payloadTypeFor("OPUS", 48000)).hasValue(111);
        assertThat(audio.payloadTypeFor("opus", 8000)).isEmpty();
        assertThat(audio.rtpMap(111)).contains(new RtpMap(111, "opus", 48000, 2));
        assertThat(audio.fmtp(111).orElseThrow().parameters())
                .containsExactly(java.util.Map.entry("minptime", "10"), java.util.Map.entry("useinbandfec", "1"));
        assertThat(audio.rtcpFeedback(111)).containsExactly(RtcpFeedback.of(111, "transport-cc"));
        assertThat(audio.fmtp(63).orElseThrow().parameters()).containsEntry("111/111", "");
        assertThat(audio.payloadTypeFor("telephone-event", 8000)).hasValue(126);

        assertThat(video.payloadTypeFor("vp8", 90000)).hasValue(96);
        assertThat(video.rtxPayloadTypeFor(96)).hasValue(97);
        assertThat(video.fmtp(97).orElseThrow().apt()).hasValue(96);
        assertThat(video.rtcpFeedback(96)).extracting(RtcpFeedback::toValue)
                .containsExactly("96 goog-remb", "96 transport-cc", "96 ccm fir", "96 nack", "96 nack pli");
        assertThat(video.payloadTypeFor("H264", 90000)).hasValue(103);
        Codec h264 = video.codec(103).orElseThrow();
        assertThat(h264.parameter("packetization-mode")).contains("1");
        assertThat(h264.parameter("profile-level-id")).contains("42001f");
        assertThat(h264.parameters().keySet())
                .containsExactly("level-asymmetry-allowed", "packetization-mode", "profile-level-id");
        assertThat(video.rtxPayloadTypeFor(103)).hasValue(104);
        assertThat(video.payloadTypeFor("AV1", 90000)).hasValue(45);
        assertThat(video.payloadTypeFor("VP9", 90000)).hasValue(98);
        assertThat(video.rtxPayloadTypeFor(121)).isEmpty();

        // Every rtx payload type points at a payload type of the same m-line.
        List<Codec> codecs = video.codecs();
        assertThat(codecs).hasSize(video.payloadTypes().size());
        assertThat(codecs).filteredOn(Codec::isRtx).allSatisfy(rtx -> {
            int apt = rtx.fmtp().apt().orElseThrow();
            assertThat(video.rtxPayloadTypeFor(apt)).hasValue(rtx.payloadType());
        });
    }

    @Test
    void publisherOfferHeaderExtensions() {
        SessionDescription sdp = Fixtures.parsed(Fixtures.AUDIO_VIDEO);
        MediaDescription audio = sdp.media().get(0);
        MediaDescription video = sdp.media().get(1);

        assertThat(audio.extmaps()).containsExactly(
                Extmap.of(1, Extmap.AUDIO_LEVEL), Extmap.of(2, Extmap.ABS_SEND_TIME),
                Extmap.of(3, Extmap.TRANSPORT_CC), Extmap.of(4, Extmap.SDES_MID));
        assertThat(video.extmap(Extmap.ABS_SEND_TIME).orElseThrow().id()).isEqualTo(2);
        assertThat(video.extmap(Extmap.TRANSPORT_CC).orElseThrow().id()).isEqualTo(3);
        assertThat(video.extmap(Extmap.SDES_MID).orElseThrow().id()).isEqualTo(4);
        assertThat(video.extmap(Extmap.VIDEO_ORIENTATION).orElseThrow().direction()).isNull();
        assertThat(video.extmap(Extmap.AUDIO_LEVEL)).isEmpty();
    }

    @Test
    void publisherOfferStreams() {
        SessionDescription sdp = Fixtures.parsed(Fixtures.AUDIO_VIDEO);
        MediaDescription audio = sdp.media().get(0);
        MediaDescription video = sdp.media().get(1);

        Msid audioMsid = audio.msid().orElseThrow();
        Msid videoMsid = video.msid().orElseThrow();
        assertThat(audioMsid.streamId()).isEqualTo(videoMsid.streamId());
        assertThat(audioMsid.trackId()).isNotEqualTo(videoMsid.trackId());
        assertThat(sdp.attributeValue("msid-semantic")).contains(" WMS " + audioMsid.streamId());

        assertThat(audio.ssrcs()).hasSize(1);
        long audioSsrc = audio.ssrcs().getFirst();
        assertThat(audio.ssrcAttributes()).extracting(SsrcAttribute::attribute).containsExactly("cname", "msid");
        assertThat(audio.ssrcAttributes()).filteredOn(s -> s.attribute().equals("msid"))
                .singleElement().satisfies(s -> {
                    assertThat(s.ssrc()).isEqualTo(audioSsrc);
                    assertThat(s.value()).isEqualTo(audioMsid.toValue());
                });

        SsrcGroup fid = video.ssrcGroup(SsrcGroup.FID).orElseThrow();
        assertThat(fid.ssrcs()).hasSize(2).containsExactlyElementsOf(video.ssrcs());
        String cname = audio.ssrcAttributes().getFirst().value();
        assertThat(video.ssrcAttributes()).filteredOn(s -> s.attribute().equals("cname"))
                .extracting(SsrcAttribute::value).containsOnly(cname);
    }

    @Test
    void screenShareOfferHasAThirdVideoFromItsOwnStream() {
        SessionDescription sdp = Fixtures.parsed(Fixtures.AUDIO_VIDEO_SCREEN);

        assertThat(sdp.mids()).containsExactly("0", "1", "2");
        assertThat(sdp.bundleGroup().orElseThrow().mids()).containsExactly("0", "1", "2");
        assertThat(sdp.media()).extracting(MediaDescription::type).containsExactly("audio", "video", "video");
        MediaDescription camera = sdp.media("1").orElseThrow();
        MediaDescription screen = sdp.media("2").orElseThrow();
        assertThat(screen.direction()).isEqualTo(Direction.SENDONLY);
        assertThat(screen.msid().orElseThrow().streamId()).isNotEqualTo(camera.msid().orElseThrow().streamId());
        assertThat(screen.codecs()).isEqualTo(camera.codecs());
        assertThat(screen.ssrcGroup(SsrcGroup.FID).orElseThrow().ssrcs())
                .doesNotContainAnyElementsOf(camera.ssrcs());
    }

    @Test
    void simulcastOfferHasThreeSendRids() {
        SessionDescription sdp = Fixtures.parsed(Fixtures.SIMULCAST);
        MediaDescription video = sdp.media("1").orElseThrow();

        assertThat(video.rids()).containsExactly(Rid.send("q"), Rid.send("h"), Rid.send("f"));
        Simulcast simulcast = video.simulcast().orElseThrow();
        assertThat(simulcast.sendRids()).containsExactly("q", "h", "f");
        assertThat(simulcast.recvRids()).isEmpty();
        assertThat(simulcast.reverse().toValue()).isEqualTo("recv q;h;f");
        assertThat(video.extmap(Extmap.SDES_RTP_STREAM_ID).orElseThrow().id()).isEqualTo(10);
        assertThat(video.extmap(Extmap.SDES_REPAIRED_RTP_STREAM_ID).orElseThrow().id()).isEqualTo(11);
        // Chromium offers the dependency descriptor only when sending simulcast.
        assertThat(video.extmap(Extmap.DEPENDENCY_DESCRIPTOR).orElseThrow().id()).isEqualTo(12);
        assertThat(Fixtures.parsed(Fixtures.AUDIO_VIDEO).media("1").orElseThrow().extmap(Extmap.DEPENDENCY_DESCRIPTOR))
                .isEmpty();
        // Chromium 150 announces simulcast by rid only: no SSRCs for the video.
        assertThat(video.ssrcs()).isEmpty();
        assertThat(sdp.media("0").orElseThrow().simulcast()).isEmpty();
    }

    @Test
    void subscriberAnswerMirrorsTheHandwrittenOffer() {
        SessionDescription offer = Fixtures.parsed(Fixtures.SUBSCRIBER_OFFER);
        SessionDescription answer = Fixtures.parsed(Fixtures.SUBSCRIBER_ANSWER);

        assertThat(offer.isIceLite()).isTrue();
        assertThat(answer.isIceLite()).isFalse();
        assertThat(answer.mids()).isEqualTo(offer.mids());
        assertThat(answer.bundleGroup()).isEqualTo(offer.bundleGroup());

        MediaDescription offeredAudio = offer.media("0").orElseThrow();
        assertThat(offeredAudio.msid()).contains(new Msid("PA_alice", "TR_audio1"));
        assertThat(offer.media("1").orElseThrow().msid()).contains(new Msid("PA_alice", "TR_video1"));
        assertThat(offeredAudio.fingerprint()).contains(offer.fingerprints().getFirst());
        assertThat(offeredAudio.candidates()).singleElement().satisfies(c -> {
            assertThat(c.address()).isEqualTo("127.0.0.1");
            assertThat(c.port()).isEqualTo(50000);
            assertThat(c.priority()).isEqualTo(2130706431L);
        });
        assertThat(offeredAudio.endOfCandidates()).isTrue();

        for (MediaDescription m : answer.media()) {
            MediaDescription offered = offer.media(m.mid().orElseThrow()).orElseThrow();
            assertThat(m.direction()).isEqualTo(offered.direction().reverse()).isEqualTo(Direction.RECVONLY);
            assertThat(m.setup()).contains(Setup.ACTIVE);
            assertThat(m.fingerprint()).hasValueSatisfying(f -> assertThat(f).isNotEqualTo(offered.fingerprint().orElseThrow()));
            assertThat(m.msids()).isEmpty();
            assertThat(m.ssrcs()).isEmpty();
            assertThat(m.payloadTypes()).isEqualTo(offered.payloadTypes());
            assertThat(m.extmaps()).isEqualTo(offered.extmaps());
        }
        MediaDescription video = answer.media("1").orElseThrow();
        assertThat(video.payloadTypeFor("VP8", 90000)).hasValue(96);
        assertThat(video.rtxPayloadTypeFor(96)).hasValue(97);
        assertThat(answer.media("0").orElseThrow().payloadTypeFor("opus", 48000)).hasValue(111);
    }

    @Test
    void defaultOfferKeepsChromiumsH264ListAndADataChannel() {
        SessionDescription sdp = Fixtures.parsed(Fixtures.DEFAULT_CODECS);

        assertThat(sdp.media()).extracting(MediaDescription::type).containsExactly("audio", "video", "application");
        assertThat(sdp.media("0").orElseThrow().direction()).isEqualTo(Direction.SENDRECV);
        MediaDescription video = sdp.media("1").orElseThrow();
        List<Codec> h264 = video.codecs().stream().filter(c -> c.name().equals("H264")).toList();
        assertThat(h264).extracting(Codec::payloadType).containsExactly(103, 107, 109, 115, 117, 39);
        assertThat(h264).extracting(c -> c.parameter("profile-level-id").orElseThrow())
                .containsExactly("42001f", "42001f", "42e01f", "42e01f", "4d001f", "4d001f");
        assertThat(h264).extracting(c -> c.parameter("packetization-mode").orElseThrow())
                .containsExactly("1", "0", "1", "0", "1", "0");
        assertThat(h264).allSatisfy(c -> assertThat(video.rtxPayloadTypeFor(c.payloadType())).isPresent());

        MediaDescription data = sdp.media("2").orElseThrow();
        assertThat(data.proto()).isEqualTo(MediaDescription.DATA_CHANNEL_PROTO);
        assertThat(data.formats()).containsExactly("webrtc-datachannel");
        assertThat(data.payloadTypes()).isEmpty();
        assertThat(data.codecs()).isEmpty();
        assertThat(data.attributeValue("sctp-port")).contains("5000");
        assertThat(data.attributeValue("max-message-size")).contains("262144");
    }
}
