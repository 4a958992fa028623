package dev.convene.sfu.negotiation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.convene.sdp.Direction;
import dev.convene.sdp.MediaDescription;
import dev.convene.sdp.SdpParser;
import dev.convene.sdp.SessionDescription;
import dev.convene.sdp.Setup;
import dev.convene.sfu.SdpRejectedException;
import dev.convene.sfu.TrackKind;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The SFU's reading and writing of SDP, against offers and answers captured from Chromium. */
class SdpTranslatorTest {

    private static final TransportParams LOCAL = new TransportParams("abcd1234", "0123456789abcdefghijklmn", "sha-256",
            "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89", null);
    private static final List<HostCandidate> CANDIDATE = HostCandidate.udp(List.of(InetAddress.getLoopbackAddress()), 50000);

    @Test
    void readsChromiumPublisherOfferIntoTracksWithoutRtxSsrcs() throws Exception {
        PublisherOffer offer = SdpTranslator.readPublisherOffer(fixture("publisher-offer-audio-video.sdp"));

        assertThat(offer.transport().setup()).isEqualTo("actpass");
        assertThat(offer.transport().fingerprintAlgorithm()).isEqualTo("sha-256");
        assertThat(offer.media()).extracting(OfferedMedia::kind).containsExactly(TrackKind.AUDIO, TrackKind.VIDEO);
        assertThat(offer.media()).allSatisfy(m -> {
            assertThat(m.sending()).isTrue();
            assertThat(m.ssrcs()).hasSize(1);
            assertThat(m.midExtensionId()).isPositive();
            if (m.kind() == TrackKind.VIDEO) {
                assertThat(m.rtxSsrcs()).as("the FID partner of the video SSRC").hasSize(1);
                assertThat(m.rtxPayloadTypeFor(SfuCodecs.choose(m).orElseThrow())).isPositive();
            }
        });
        assertThat(SfuCodecs.choose(offer.media().get(0))).hasValueSatisfying(c -> assertThat(c.is("opus")).isTrue());
        assertThat(SfuCodecs.choose(offer.media().get(1))).hasValueSatisfying(c -> {
            assertThat(c.is("VP8")).isTrue();
            assertThat(c.feedback()).contains("nack pli", "ccm fir").doesNotContain("transport-cc");
        });
    }

    @Test
    void answersChromiumOfferRecvonlyPassiveIceLiteAndRejectsDataChannels() throws Exception {
        PublisherOffer offer = SdpTranslator.readPublisherOffer(fixture("offer-default-codecs.sdp"));
        List<AnsweredMedia> decisions = offer.media().stream()
                .map(m -> {
                    Codec codec = m.sending() ? SfuCodecs.choose(m).orElse(null) : null;
                    return new AnsweredMedia(m, codec, codec == null ? -1 : m.rtxPayloadTypeFor(codec));
                })
                .toList();
        assertThat(decisions).filteredOn(d -> d.offered().kind() == TrackKind.VIDEO)
                .allSatisfy(d -> assertThat(d.rtxPayloadType()).as("Chromium offers rtx for VP8").isPositive());

        SessionDescription answer = SdpParser.parse(SdpTranslator.writePublisherAnswer(LOCAL, CANDIDATE, Setup.PASSIVE, decisions));

        assertThat(answer.isIceLite()).isTrue();
        assertThat(answer.media()).hasSize(offer.media().size());
        for (int i = 0; i < offer.media().size(); i++) {
            MediaDescription m = answer.media().get(i);
            OfferedMedia offered = offer.media().get(i);
            assertThat(m.mid()).contains(offered.mid());
            if (offered.kind() == null) {
                assertThat(m.isRejected()).as("data channel rejected").isTrue();
                continue;
            }
            assertThat(m.direction()).isEqualTo(Direction.RECVONLY);
            assertThat(m.setup()).contains(Setup.PASSIVE);
            assertThat(m.iceUfrag()).contains(LOCAL.iceUfrag());
            assertThat(m.candidates()).singleElement().satisfies(c -> {
                assertThat(c.address()).isEqualTo("127.0.0.1");
                assertThat(c.port()).isEqualTo(50000);
            });
            AnsweredMedia decision = decisions.get(i);
            assertThat(m.codecs().get(0).payloadType()).isEqualTo(decision.codec().payloadType());
            if (decision.rtxPayloadType() < 0) {
                assertThat(m.codecs()).hasSize(1);
            } else {
                assertThat(m.codecs()).hasSize(2);
                assertThat(m.codecs().get(1)).satisfies(rtx -> {
                    assertThat(rtx.isRtx()).isTrue();
                    assertThat(rtx.payloadType()).isEqualTo(decision.rtxPayloadType());
                    assertThat(rtx.parameter("apt")).contains(Integer.toString(decision.codec().payloadType()));
                });
            }
        }
        assertThat(answer.bundleGroup()).hasValueSatisfying(g -> assertThat(g.mids()).doesNotContain(
                offer.media().stream().filter(m -> m.kind() == null).map(OfferedMedia::mid).toArray(String[]::new)));
    }

    @Test
    void announcesEveryCandidateOnEveryMlineWithDescendingRfc8445Priorities() throws Exception {
        List<HostCandidate> candidates = HostCandidate.udp(List.of(InetAddress.getByName("2001:db8::7"),
                InetAddress.getByName("10.0.0.7"), InetAddress.getByName("10.0.0.7")), 50000);
        assertThat(candidates).extracting(HostCandidate::address).containsExactly("2001:db8:0:0:0:0:0:7", "10.0.0.7");
        // RFC 8445 §5.1.2.1: type preference 126 (host), local preference 65535 then 65534, component 1.
        assertThat(candidates).extracting(HostCandidate::priority)
                .containsExactly(126L * (1 << 24) + 65535L * (1 << 8) + 255, 126L * (1 << 24) + 65534L * (1 << 8) + 255);
        List<SubscriberLine> lines = List.of(new SubscriberLine("0", TrackKind.AUDIO, SfuCodecs.OPUS, "PA_1", "TR_a", 1111, 0),
                new SubscriberLine("1", TrackKind.VIDEO, SfuCodecs.VP8, "PA_1", "TR_v", 2222, 0));

        SessionDescription offer = SdpParser.parse(SdpTranslator.writeSubscriberOffer(7, 1, LOCAL, candidates, lines));

        assertThat(offer.origin().addressType()).isEqualTo("IP6");
        for (MediaDescription m : offer.media()) {
            assertThat(m.candidates()).extracting(c -> c.address() + " " + c.port() + " " + c.foundation() + " " + c.type())
                    .containsExactly("2001:db8:0:0:0:0:0:7 50000 1 host", "10.0.0.7 50000 2 host");
            assertThat(m.connection()).hasValueSatisfying(c -> assertThat(c.addressType()).isEqualTo("IP6"));
        }
    }

    @Test
    void answersAPassiveOfferAsTheDtlsClientAndTakesAPassiveAnswerAsOneToo() throws Exception {
        String passiveOffer = fixture("publisher-offer-audio-video.sdp").replace("a=setup:actpass", "a=setup:passive");
        PublisherOffer offer = SdpTranslator.readPublisherOffer(passiveOffer);
        assertThat(offer.transport().setup()).isEqualTo("passive");
        assertThat(DtlsSetup.forOffer(offer.transport().setup()))
                .isEqualTo(dev.convene.media.transport.dtls.DtlsRole.CLIENT);
        List<AnsweredMedia> decisions = offer.media().stream().map(m -> new AnsweredMedia(m, SfuCodecs.choose(m).orElse(null), -1))
                .toList();
        SessionDescription answer = SdpParser.parse(SdpTranslator.writePublisherAnswer(LOCAL, CANDIDATE,
                DtlsSetup.answerSetup(DtlsSetup.forOffer("passive")), decisions));
        assertThat(answer.media()).allSatisfy(m -> assertThat(m.setup()).contains(Setup.ACTIVE));

        assertThat(DtlsSetup.forOffer("actpass")).isEqualTo(dev.convene.media.transport.dtls.DtlsRole.SERVER);
        assertThat(DtlsSetup.forOffer(null)).isEqualTo(dev.convene.media.transport.dtls.DtlsRole.SERVER);
        assertThat(DtlsSetup.forAnswer("active")).isEqualTo(dev.convene.media.transport.dtls.DtlsRole.SERVER);
        assertThat(DtlsSetup.forAnswer("passive")).isEqualTo(dev.convene.media.transport.dtls.DtlsRole.CLIENT);
        assertThat(DtlsSetup.forAnswer(null)).as("RFC 4145 default: active")
                .isEqualTo(dev.convene.media.transport.dtls.DtlsRole.SERVER);
        assertThatThrownBy(() -> DtlsSetup.forAnswer("actpass")).isInstanceOf(SdpRejectedException.class)
                .hasMessageContaining("active or a=setup:passive");
        assertThatThrownBy(() -> DtlsSetup.forOffer("holdconn")).isInstanceOf(SdpRejectedException.class);
    }

    @Test
    void acceptsAPionStyleOfferWithTrailingBlanksAndUnknownAttributes() throws Exception {
        String pion = fixture("publisher-offer-audio-video.sdp")
                .replace("a=rtcp-fb:111 transport-cc\r\n", "a=rtcp-fb:111 transport-cc \r\n")
                .replace("a=setup:actpass\r\n", "a=setup:actpass \r\na=x-pion-unknown:42 yes\r\na=weird-flag\r\n")
                .replace("a=rtcp-mux\r\n", "a=rtcp-mux  \r\n");
        assertThat(pion).contains("transport-cc \r\n").contains("x-pion-unknown");

        PublisherOffer offer = SdpTranslator.readPublisherOffer(pion);

        assertThat(offer.transport().setup()).isEqualTo("actpass");
        assertThat(offer.media()).hasSize(2).allSatisfy(m -> assertThat(m.sending()).isTrue());
        OfferedMedia audio = offer.media().getFirst();
        assertThat(audio.codecs()).anySatisfy(c -> {
            assertThat(c.name()).isEqualTo("opus");
            assertThat(c.feedback()).contains("transport-cc");
        });
    }

    @Test
    void writesSubscriberOfferWithMsidForTracksAndInactiveIdleSlots() throws Exception {
        List<SubscriberLine> lines = List.of(
                new SubscriberLine("0", TrackKind.AUDIO, SfuCodecs.OPUS, "PA_1", "TR_a", 1111, 0),
                new SubscriberLine("1", TrackKind.VIDEO, SfuCodecs.VP8, null, null, 0, 0),
                new SubscriberLine("2", TrackKind.VIDEO, SfuCodecs.VP8, "PA_1", "TR_v", 2222, 3333));

        SessionDescription offer = SdpParser.parse(SdpTranslator.writeSubscriberOffer(7, 3, LOCAL, CANDIDATE, lines));

        assertThat(offer.origin().sessionVersion()).isEqualTo("3");
        assertThat(offer.bundleGroup()).hasValueSatisfying(g -> assertThat(g.mids()).containsExactly("0", "1", "2"));
        MediaDescription audio = offer.media().get(0);
        assertThat(audio.direction()).isEqualTo(Direction.SENDONLY);
        assertThat(audio.setup()).contains(Setup.ACTPASS);
        assertThat(audio.msid()).hasValueSatisfying(msid -> {
            assertThat(msid.streamId()).isEqualTo("PA_1");
            assertThat(msid.trackId()).isEqualTo("TR_a");
        });
        assertThat(audio.ssrcs()).containsExactly(1111L);
        assertThat(audio.codecs()).singleElement().satisfies(c -> assertThat(c.name()).isEqualTo("opus"));
        MediaDescription idle = offer.media().get(1);
        assertThat(idle.direction()).isEqualTo(Direction.INACTIVE);
        assertThat(idle.ssrcs()).isEmpty();
        MediaDescription video = offer.media().get(2);
        assertThat(video.codecs()).extracting(c -> c.name()).containsExactly("VP8", "rtx");
        assertThat(video.codecs().get(1).parameter("apt")).contains(Integer.toString(SfuCodecs.VP8.payloadType()));
        assertThat(video.ssrcs()).containsExactly(2222L, 3333L);
        assertThat(video.ssrcGroup("FID")).hasValueSatisfying(g -> assertThat(g.ssrcs()).containsExactly(2222L, 3333L));
        // ADR 0021: one transport-wide sequence number on every line of the bundle, and feedback asked for on every codec.
        for (MediaDescription m : offer.media()) {
            assertThat(m.extmap(OfferedMedia.TRANSPORT_CC_URI)).hasValueSatisfying(
                    e -> assertThat(e.id()).isEqualTo(SdpTranslator.SUBSCRIBER_TRANSPORT_CC_ID));
        }
        assertThat(audio.codecs().getFirst().feedback()).extracting(f -> f.type()).contains("transport-cc");
        assertThat(video.codecs().getFirst().feedback()).extracting(f -> f.type()).contains("transport-cc", "nack");
    }

    @Test
    void readsTheTransportCcIdTheSubscriberKept() throws Exception {
        String answer = fixture("subscriber-answer.sdp");
        assertThat(SdpTranslator.readSubscriberAnswer(answer).transportCcExtensionId()).as("Chromium keeps it").isEqualTo(3);
        String dropped = answer.replaceAll("a=extmap:3 [^\r\n]*\r\n", "");
        assertThat(SdpTranslator.readSubscriberAnswer(dropped).transportCcExtensionId()).isZero();
    }

    @Test
    void anAnswerWithoutRtxDoesNotAcceptIt() throws Exception {
        String withoutRtx = fixture("subscriber-answer.sdp").replace("m=video 9 UDP/TLS/RTP/SAVPF 96 97", "m=video 9 UDP/TLS/RTP/SAVPF 96")
                .replaceAll("a=(rtpmap|fmtp|rtcp-fb):97 [^\r\n]*\r\n", "");
        SubscriberAnswer answer = SdpTranslator.readSubscriberAnswer(withoutRtx);
        assertThat(answer.accepts("1", 96)).isTrue();
        assertThat(answer.accepts("1", 97)).isFalse();
    }

    @Test
    void rejectsUnusableOffersWithReasons() {
        assertThatThrownBy(() -> SdpTranslator.readPublisherOffer("")).isInstanceOf(SdpRejectedException.class)
                .hasMessageContaining("empty");
        assertThatThrownBy(() -> SdpTranslator.readPublisherOffer("hello\r\n")).isInstanceOf(SdpRejectedException.class)
                .hasMessageContaining("malformed SDP");
        String noFingerprint = fixtureUnchecked("publisher-offer-audio-video.sdp").replaceAll("a=fingerprint:[^\r\n]*\r\n", "");
        assertThatThrownBy(() -> SdpTranslator.readPublisherOffer(noFingerprint)).isInstanceOf(SdpRejectedException.class)
                .hasMessageContaining("fingerprint");
        String noMid = fixtureUnchecked("publisher-offer-audio-video.sdp")
                .replaceAll("a=mid:[^\r\n]*\r\n", "").replaceAll("a=group:BUNDLE[^\r\n]*\r\n", "");
        assertThatThrownBy(() -> SdpTranslator.readPublisherOffer(noMid)).isInstanceOf(SdpRejectedException.class)
                .hasMessageContaining("mid");
    }

    @Test
    void readsChromiumRidSimulcastAndAnswersItsStreamsAsRecv() throws Exception {
        PublisherOffer offer = SdpTranslator.readPublisherOffer(fixture("publisher-offer-simulcast.sdp"));
        OfferedMedia video = offer.media().stream().filter(m -> m.kind() == TrackKind.VIDEO).findFirst().orElseThrow();
        assertThat(video.layers()).extracting(OfferedLayer::rid).containsExactly("q", "h", "f");
        assertThat(video.ridSimulcast()).isTrue();
        assertThat(video.ridExtensionId()).isEqualTo(10);
        assertThat(video.repairedRidExtensionId()).isEqualTo(11);
        Codec codec = SfuCodecs.choose(video).orElseThrow();

        String answer = SdpTranslator.writePublisherAnswer(LOCAL, CANDIDATE, Setup.PASSIVE,
                List.of(new AnsweredMedia(video, codec, video.rtxPayloadTypeFor(codec))));
        MediaDescription m = SdpParser.parse(answer).media().getFirst();
        assertThat(m.rids()).extracting(r -> r.id() + " " + r.direction()).containsExactly("q RECV", "h RECV", "f RECV");
        assertThat(m.simulcast()).hasValueSatisfying(s -> assertThat(s.recvRids()).containsExactly("q", "h", "f"));
        assertThat(m.extmaps()).extracting(e -> e.id() + " " + e.uri()).contains("10 " + OfferedMedia.RID_URI,
                "11 " + OfferedMedia.REPAIRED_RID_URI);
    }

    @Test
    void readsSsrcSignalledSimulcastLowestFirstWithRtxPartners() throws Exception {
        String sdp = fixture("publisher-offer-audio-video.sdp").replaceAll("a=ssrc[^\r\n]*\r?\n", "")
                .replace("a=rtcp-mux\r\n", "a=rtcp-mux\r\n");
        String video = "a=ssrc-group:SIM 11 22 33\r\na=ssrc-group:FID 11 111\r\na=ssrc-group:FID 22 222\r\n"
                + "a=ssrc-group:FID 33 333\r\n"
                + "a=ssrc:11 cname:x\r\na=ssrc:111 cname:x\r\na=ssrc:22 cname:x\r\na=ssrc:222 cname:x\r\n"
                + "a=ssrc:33 cname:x\r\na=ssrc:333 cname:x\r\n";
        sdp = sdp.stripTrailing() + "\r\n" + video;
        PublisherOffer offer = SdpTranslator.readPublisherOffer(sdp);
        OfferedMedia m = offer.media().stream().filter(o -> o.kind() == TrackKind.VIDEO).findFirst().orElseThrow();
        assertThat(m.layers()).containsExactly(new OfferedLayer(null, 11, 111), new OfferedLayer(null, 22, 222),
                new OfferedLayer(null, 33, 333));
        assertThat(m.ridSimulcast()).isFalse();
    }

    /** A WHEP player's offer, as GStreamer's whepsrc makes one: its own payload numbers, an H.264-only third line. */
    private static final String PLAYER_OFFER = String.join("\r\n",
            "v=0", "o=- 1 1 IN IP4 127.0.0.1", "s=-", "t=0 0", "a=group:BUNDLE a v h",
            "m=audio 9 UDP/TLS/RTP/SAVPF 109", "c=IN IP4 0.0.0.0", "a=mid:a", "a=recvonly", "a=rtcp-mux",
            "a=ice-ufrag:wxyz", "a=ice-pwd:0123456789012345678901", "a=setup:actpass",
            "a=fingerprint:sha-256 AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89",
            "a=rtpmap:109 opus/48000/2",
            "m=video 9 UDP/TLS/RTP/SAVPF 100 101", "c=IN IP4 0.0.0.0", "a=mid:v", "a=recvonly", "a=rtcp-mux",
            "a=rtpmap:100 VP8/90000", "a=rtcp-fb:100 nack", "a=rtcp-fb:100 nack pli", "a=rtpmap:101 rtx/90000",
            "a=fmtp:101 apt=100",
            "m=video 9 UDP/TLS/RTP/SAVPF 102", "c=IN IP4 0.0.0.0", "a=mid:h", "a=recvonly", "a=rtcp-mux",
            "a=rtpmap:102 H264/90000", "a=fmtp:102 packetization-mode=1;profile-level-id=42e01f", "") ;

    @Test
    void answersAPlayersRecvonlyOfferUnderItsOwnPayloadTypes() throws Exception {
        PublisherOffer offer = SdpTranslator.readPublisherOffer(PLAYER_OFFER);
        assertThat(offer.media()).allSatisfy(m -> assertThat(m.sending()).isFalse());
        Codec opus = SfuCodecs.forPlayer(SfuCodecs.OPUS, offer.media().get(0));
        Codec vp8 = SfuCodecs.forPlayer(SfuCodecs.VP8, offer.media().get(1));
        assertThat(opus.payloadType()).isEqualTo(109);
        assertThat(vp8.payloadType()).isEqualTo(100);
        assertThat(vp8.feedback()).as("only what both sides have").containsExactlyInAnyOrder("nack", "nack pli");
        assertThat(offer.media().get(1).rtxPayloadTypeFor(vp8)).isEqualTo(101);
        assertThat(SfuCodecs.forPlayer(SfuCodecs.VP8, offer.media().get(2))).as("an H.264-only line").isNull();

        String answer = SdpTranslator.writePlayerAnswer(LOCAL, CANDIDATE, Setup.PASSIVE, List.of(
                new PlayerLine(offer.media().get(0), new SubscriberLine("a", TrackKind.AUDIO, opus, "PA_1", "TR_a", 1111, 0), -1),
                new PlayerLine(offer.media().get(1), new SubscriberLine("v", TrackKind.VIDEO, vp8, "PA_1", "TR_v", 2222, 3333), 101),
                new PlayerLine(offer.media().get(2), null, -1)));
        SessionDescription parsed = SdpParser.parse(answer);
        assertThat(parsed.isIceLite()).isTrue();
        assertThat(parsed.media()).extracting(m -> m.mid().orElseThrow()).containsExactly("a", "v", "h");
        MediaDescription audio = parsed.media().get(0);
        MediaDescription video = parsed.media().get(1);
        assertThat(audio.direction()).isEqualTo(Direction.SENDONLY);
        assertThat(audio.payloadTypes()).containsExactly(109);
        assertThat(video.payloadTypes()).containsExactly(100, 101);
        assertThat(video.setup()).contains(Setup.PASSIVE);
        assertThat(video.ssrcs()).containsExactly(2222L, 3333L);
        assertThat(answer).contains("a=msid:PA_1 TR_v", "a=ssrc-group:FID 2222 3333", "a=fmtp:101 apt=100",
                "a=group:BUNDLE a v");
        assertThat(parsed.media().get(2).isRejected()).as("the H.264-only line").isTrue();
    }

    /** GStreamer 1.22 webrtcbin's offer with bundle-policy=max-bundle, as its WHIP clients send it. */
    private static final String WEBRTCBIN_OFFER = """
            v=0\r
            o=- 5930436364556089279 0 IN IP4 0.0.0.0\r
            s=-\r
            t=0 0\r
            a=ice-options:trickle\r
            a=group:BUNDLE video0 audio1\r
            m=video 9 UDP/TLS/RTP/SAVPF 96\r
            c=IN IP4 0.0.0.0\r
            a=setup:actpass\r
            a=ice-ufrag:x1vo+ElHLeiZCuzNz6SdoXm/0dxVQM8B\r
            a=ice-pwd:oiC4oWa4cBX2y06U7gV/Lq1XD1eZ8PIG\r
            a=rtcp-mux\r
            a=rtcp-rsize\r
            a=sendrecv\r
            a=rtpmap:96 VP8/90000\r
            a=rtcp-fb:96 nack pli\r
            a=rtcp-fb:96 ccm fir\r
            a=rtcp-fb:96 transport-cc\r
            a=framerate:15\r
            a=ssrc:4183356583 msid:user25973618@host-c8a9cec4 webrtctransceiver0\r
            a=ssrc:4183356583 cname:user25973618@host-c8a9cec4\r
            a=mid:video0\r
            a=fingerprint:sha-256 1F:42:B4:98:A9:38:10:59:CD:7A:50:51:7D:C8:A7:1A:39:22:D1:C7:41:8E:04:66:EF:43:B6:7C:78:89:43:DD\r
            a=rtcp-mux-only\r
            a=candidate:1 1 UDP 2015363327 10.78.0.1 40001 typ host\r
            m=audio 0 UDP/TLS/RTP/SAVPF 111\r
            c=IN IP4 0.0.0.0\r
            a=setup:actpass\r
            a=ice-ufrag:x1vo+ElHLeiZCuzNz6SdoXm/0dxVQM8B\r
            a=ice-pwd:oiC4oWa4cBX2y06U7gV/Lq1XD1eZ8PIG\r
            a=bundle-only\r
            a=rtcp-mux\r
            a=rtcp-rsize\r
            a=sendrecv\r
            a=rtpmap:111 OPUS/48000/2\r
            a=rtcp-fb:111 transport-cc\r
            a=ssrc:1283748271 msid:user25973618@host-c8a9cec4 webrtctransceiver1\r
            a=ssrc:1283748271 cname:user25973618@host-c8a9cec4\r
            a=mid:audio1\r
            a=fingerprint:sha-256 1F:42:B4:98:A9:38:10:59:CD:7A:50:51:7D:C8:A7:1A:39:22:D1:C7:41:8E:04:66:EF:43:B6:7C:78:89:43:DD\r
            a=rtcp-mux-only\r
            """;

    @Test
    void takesTheBundleOnlyLinesOfAGstreamerWebrtcbinOffer() throws Exception {
        // RFC 8843 §6.3: port 0 with a=bundle-only is offered, not rejected; webrtcbin's audio was lost before.
        PublisherOffer offer = SdpTranslator.readPublisherOffer(WEBRTCBIN_OFFER);

        assertThat(offer.media()).extracting(OfferedMedia::kind).containsExactly(TrackKind.VIDEO, TrackKind.AUDIO);
        assertThat(offer.media()).allSatisfy(m -> assertThat(m.sending()).as("mid %s", m.mid()).isTrue());
        assertThat(SfuCodecs.choose(offer.media().get(1))).hasValueSatisfying(c -> assertThat(c.is("opus")).isTrue());
        List<AnsweredMedia> decisions = offer.media().stream()
                .map(m -> new AnsweredMedia(m, SfuCodecs.choose(m).orElseThrow(), -1))
                .toList();

        SessionDescription answer = SdpParser.parse(SdpTranslator.writePublisherAnswer(LOCAL, CANDIDATE, Setup.PASSIVE, decisions));

        assertThat(answer.media()).allSatisfy(m -> {
            assertThat(m.isRejected()).isFalse();
            assertThat(m.direction()).isEqualTo(Direction.RECVONLY);
        });
        assertThat(answer.bundleGroup()).hasValueSatisfying(g -> assertThat(g.mids()).containsExactly("video0", "audio1"));
    }

    private static String fixture(String name) throws IOException {
        try (InputStream in = SdpTranslatorTest.class.getResourceAsStream("/chromium/" + name)) {
            assertThat(in).as("fixture %s", name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String fixtureUnchecked(String name) {
        try {
            return fixture(name);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void withAnIceTcpPortEveryMLineCarriesPassiveTcpCandidatesBelowEveryUdpOne() throws Exception {
        PublisherOffer offer = SdpTranslator.readPublisherOffer(fixture("publisher-offer-audio-video.sdp"));
        List<AnsweredMedia> decisions = offer.media().stream()
                .map(m -> new AnsweredMedia(m, SfuCodecs.choose(m).orElse(null), -1))
                .toList();
        List<InetAddress> addresses = List.of(InetAddress.getByName("192.0.2.10"), InetAddress.getByName("192.0.2.11"));
        List<HostCandidate> candidates = new java.util.ArrayList<>(HostCandidate.udp(addresses, 50000));
        candidates.addAll(HostCandidate.tcpPassive(addresses, 443));

        SessionDescription answer = SdpParser.parse(SdpTranslator.writePublisherAnswer(LOCAL, candidates, Setup.PASSIVE,
                decisions));

        for (MediaDescription m : answer.media()) {
            assertThat(m.candidates()).hasSize(4);
            List<dev.convene.sdp.Candidate> udp = m.candidates().stream().filter(dev.convene.sdp.Candidate::isUdp).toList();
            List<dev.convene.sdp.Candidate> tcp = m.candidates().stream().filter(c -> !c.isUdp()).toList();
            // RFC 6544 §4.5: "a=candidate:... 1 tcp <priority> 192.0.2.10 443 typ host tcptype passive"
            assertThat(tcp.get(0).toValue()).isEqualTo("tcp1 1 tcp " + tcp.get(0).priority()
                    + " 192.0.2.10 443 typ host tcptype passive");
            // RFC 8445 §5.1.2.1 with RFC 6544 §4.2's local preference for a passive host candidate.
            assertThat(tcp.get(0).priority()).isEqualTo((126L << 24) | ((4L << 13) + 8191) << 8 | 255);
            assertThat(tcp.get(1).priority()).isLessThan(tcp.get(0).priority());
            assertThat(tcp).allSatisfy(t -> assertThat(t.priority()).isLessThan(udp.get(1).priority()));
            assertThat(tcp).extracting(dev.convene.sdp.Candidate::foundation)
                    .doesNotContainAnyElementsOf(udp.stream().map(dev.convene.sdp.Candidate::foundation).toList());
            assertThat(m.endOfCandidates()).isTrue();
        }
        SessionDescription udpOnly = SdpParser.parse(SdpTranslator.writePublisherAnswer(LOCAL, CANDIDATE, Setup.PASSIVE,
                decisions));
        assertThat(udpOnly.media()).allSatisfy(m -> assertThat(m.candidates()).singleElement()
                .satisfies(c -> assertThat(c.isUdp()).isTrue()));
    }
}
