package dev.convene.sdp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Builds the descriptions the SFU sends and checks they read back as built. */
class BuilderTest {
    private static final Fingerprint SFU_FINGERPRINT = Fingerprint.sha256(new byte[] {
            1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
            17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, (byte) 0xff});
    private static final Candidate SFU_CANDIDATE = Candidate.host("1", "udp", "127.0.0.1", 50000, 65535);
    private static final List<String> SFU_EXTENSIONS = List.of(
            Extmap.AUDIO_LEVEL, Extmap.ABS_SEND_TIME, Extmap.TRANSPORT_CC, Extmap.SDES_MID,
            Extmap.SDES_RTP_STREAM_ID, Extmap.SDES_REPAIRED_RTP_STREAM_ID);

    /** What the SFU's publisher answer logic will do, written against this API. */
    static SessionDescription answerTo(SessionDescription offer) {
        SessionDescription.Builder answer = SessionDescription.builder()
                .origin(Origin.of("4611731400430051336", 1, "127.0.0.1"))
                .iceLite()
                .bundle(offer.mids())
                .addAttribute("msid-semantic", " WMS");
        for (MediaDescription offered : offer.media()) {
            MediaDescription.Builder m = MediaDescription.builder(offered.type(), 50000, offered.proto())
                    .connection(Connection.of("127.0.0.1"))
                    .addCandidate(SFU_CANDIDATE)
                    .endOfCandidates()
                    .iceCredentials("cnvnSfu1", "q8Jc2nZy7hR0vLw4XfTb9sKe")
                    .fingerprint(SFU_FINGERPRINT)
                    .setup(Setup.PASSIVE)
                    .mid(offered.mid().orElseThrow());
            offered.extmaps().stream().filter(e -> SFU_EXTENSIONS.contains(e.uri())).forEach(m::addExtmap);
            m.direction(offered.direction().reverse()).rtcpMux();
            if (offered.rtcpRsize()) {
                m.rtcpRsize();
            }
            List<Codec> chosen = new ArrayList<>();
            if (offered.type().equals(MediaDescription.AUDIO)) {
                chosen.add(offered.codec(offered.payloadTypeFor("opus", 48000).orElseThrow()).orElseThrow());
            } else {
                int vp8 = offered.payloadTypeFor("VP8", 90000).orElseThrow();
                chosen.add(offered.codec(vp8).orElseThrow());
                chosen.add(offered.codec(offered.rtxPayloadTypeFor(vp8).orElseThrow()).orElseThrow());
            }
            chosen.forEach(m::addCodec);
            offered.simulcast().ifPresent(simulcast -> {
                offered.rids().forEach(rid -> m.addRid(rid.reverse()));
                m.simulcast(simulcast.reverse());
            });
            answer.addMedia(m.build());
        }
        return answer.build();
    }

    @Test
    void publisherAnswerToChromiumSimulcastOffer() throws SdpParseException {
        SessionDescription offer = Fixtures.parsed(Fixtures.SIMULCAST);

        SessionDescription answer = answerTo(offer);

        assertThat(SdpParser.parse(answer.toString())).isEqualTo(answer);
        assertThat(answer.toString()).isEqualTo(SdpParser.parse(answer.toString()).toString());
        assertThat(answer.isIceLite()).isTrue();
        assertThat(answer.bundleGroup().orElseThrow().mids()).containsExactly("0", "1");
        MediaDescription video = answer.media("1").orElseThrow();
        assertThat(video.direction()).isEqualTo(Direction.RECVONLY);
        assertThat(video.setup()).contains(Setup.PASSIVE);
        assertThat(video.fingerprint()).contains(SFU_FINGERPRINT);
        assertThat(video.payloadTypes()).containsExactly(96, 97);
        assertThat(video.rtxPayloadTypeFor(96)).hasValue(97);
        assertThat(video.rids()).containsExactly(Rid.recv("q"), Rid.recv("h"), Rid.recv("f"));
        assertThat(video.simulcast().orElseThrow().toValue()).isEqualTo("recv q;h;f");
        assertThat(video.extmaps()).extracting(Extmap::uri).containsExactly(Extmap.ABS_SEND_TIME,
                Extmap.TRANSPORT_CC, Extmap.SDES_MID, Extmap.SDES_RTP_STREAM_ID, Extmap.SDES_REPAIRED_RTP_STREAM_ID);
        assertThat(video.candidates()).containsExactly(SFU_CANDIDATE);
        MediaDescription audio = answer.media("0").orElseThrow();
        assertThat(audio.codecs()).singleElement().satisfies(c -> {
            assertThat(c.rtpMap()).isEqualTo(new RtpMap(111, "opus", 48000, 2));
            assertThat(c.parameters()).containsEntry("useinbandfec", "1");
        });
        assertThat(audio.simulcast()).isEmpty();
        assertThat(audio.rids()).isEmpty();
    }

    @Test
    void subscriberOfferTextIsExact() throws SdpParseException {
        Codec vp8 = new Codec(RtpMap.of(96, "VP8", 90000), null, List.of(
                RtcpFeedback.of(96, "transport-cc"), new RtcpFeedback(96, "ccm", "fir"),
                new RtcpFeedback(96, "nack", null), new RtcpFeedback(96, "nack", "pli")));
        Codec rtx = new Codec(RtpMap.of(97, "rtx", 90000), Fmtp.rtx(97, 96), List.of());
        MediaDescription video = MediaDescription.builder(MediaDescription.VIDEO)
                .connection(Connection.of("127.0.0.1"))
                .iceCredentials("cnvnSfu1", "q8Jc2nZy7hR0vLw4XfTb9sKe")
                .setup(Setup.ACTPASS)
                .mid("0")
                .addExtmap(Extmap.of(3, Extmap.TRANSPORT_CC))
                .direction(Direction.SENDONLY)
                .msid(new Msid("PA_alice", "TR_video1"))
                .rtcpMux()
                .addCodec(vp8)
                .addCodec(rtx)
                .addSsrcGroup(SsrcGroup.fid(2001, 2002))
                .addSsrc(2001, "cname", "convene")
                .addSsrc(2001, "msid", "PA_alice TR_video1")
                .build();
        SessionDescription offer = SessionDescription.builder()
                .origin(Origin.of("7343049284735623845", 3, "127.0.0.1"))
                .iceLite()
                .bundle(List.of("0"))
                .fingerprint(new Fingerprint("sha-256", "AB:CD"))
                .addMedia(video)
                .build();

        assertThat(offer.toString()).isEqualTo("""
                v=0\r
                o=- 7343049284735623845 3 IN IP4 127.0.0.1\r
                s=-\r
                t=0 0\r
                a=ice-lite\r
                a=group:BUNDLE 0\r
                a=fingerprint:sha-256 AB:CD\r
                m=video 9 UDP/TLS/RTP/SAVPF 96 97\r
                c=IN IP4 127.0.0.1\r
                a=ice-ufrag:cnvnSfu1\r
                a=ice-pwd:q8Jc2nZy7hR0vLw4XfTb9sKe\r
                a=setup:actpass\r
                a=mid:0\r
                a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01\r
                a=sendonly\r
                a=msid:PA_alice TR_video1\r
                a=rtcp-mux\r
                a=rtpmap:96 VP8/90000\r
                a=rtcp-fb:96 transport-cc\r
                a=rtcp-fb:96 ccm fir\r
                a=rtcp-fb:96 nack\r
                a=rtcp-fb:96 nack pli\r
                a=rtpmap:97 rtx/90000\r
                a=fmtp:97 apt=96\r
                a=ssrc-group:FID 2001 2002\r
                a=ssrc:2001 cname:convene\r
                a=ssrc:2001 msid:PA_alice TR_video1\r
                """);
        SessionDescription parsed = SdpParser.parse(offer.toString());
        assertThat(parsed).isEqualTo(offer);
        MediaDescription m = parsed.media("0").orElseThrow();
        assertThat(m.fingerprint()).contains(new Fingerprint("sha-256", "AB:CD"));
        assertThat(m.codecs()).containsExactly(vp8, rtx);
        assertThat(m.ssrcs()).containsExactly(2001L);
    }

    @Test
    void settersReplaceAndBuilderSortsLinesIntoRfcOrder() {
        MediaDescription m = MediaDescription.builder(MediaDescription.AUDIO)
                .addAttribute("mid", "a")
                .direction(Direction.SENDRECV)
                .connection(Connection.of("::1"))
                .addBandwidth(new Bandwidth("AS", 64))
                .mid("b")
                .direction(Direction.INACTIVE)
                .addFormat("0")
                .build();

        assertThat(m.toString()).isEqualTo("m=audio 9 UDP/TLS/RTP/SAVPF 0\r\nc=IN IP6 ::1\r\nb=AS:64\r\n"
                + "a=mid:b\r\na=inactive\r\n");
        assertThat(m.toBuilder().port(0).build().isRejected()).isTrue();
        assertThat(m.toBuilder().port(0).addAttribute("bundle-only").build().isRejected())
                .as("RFC 8843 §6.3: a bundle-only line is offered with port 0").isFalse();
    }

    @Test
    void mediaFallsBackToSessionLevelAttributes() {
        MediaDescription bare = MediaDescription.builder(MediaDescription.VIDEO).addFormat("96").mid("0").build();
        SessionDescription sdp = SessionDescription.builder()
                .origin(Origin.of("1", 1, "127.0.0.1"))
                .fingerprint(SFU_FINGERPRINT)
                .addAttribute("ice-ufrag", "u1")
                .addAttribute("ice-pwd", "p1")
                .addAttribute("setup", "passive")
                .addAttribute("recvonly")
                .addAttribute("extmap", "5 " + Extmap.TRANSPORT_CC)
                .addMedia(bare)
                .build();

        MediaDescription m = sdp.media().getFirst();
        assertThat(m.fingerprint()).contains(SFU_FINGERPRINT);
        assertThat(m.iceUfrag()).contains("u1");
        assertThat(m.icePwd()).contains("p1");
        assertThat(m.setup()).contains(Setup.PASSIVE);
        assertThat(m.direction()).isEqualTo(Direction.RECVONLY);
        assertThat(m.extmap(Extmap.TRANSPORT_CC).orElseThrow().id()).isEqualTo(5);
        assertThat(bare.fingerprint()).isEmpty();
        assertThat(bare.direction()).isEqualTo(Direction.SENDRECV);
        assertThat(m).isEqualTo(bare);
    }

    @Test
    void originVersionCountsUp() {
        Origin origin = Origin.of("18446744073709551615", 1, "127.0.0.1");
        assertThat(origin.nextVersion().sessionVersion()).isEqualTo("2");
        assertThat(origin.withSessionVersion("18446744073709551615").nextVersion().sessionVersion())
                .isEqualTo("18446744073709551616");
        assertThat(origin.toString()).isEqualTo("o=- 18446744073709551615 1 IN IP4 127.0.0.1");
    }

    @Test
    void fmtpBuiltFromAMapKeepsItsOrder() {
        Map<String, String> params = new java.util.LinkedHashMap<>();
        params.put("profile-level-id", "42e01f");
        params.put("packetization-mode", "1");
        assertThat(Fmtp.of(102, params).toAttribute().toString())
                .isEqualTo("a=fmtp:102 profile-level-id=42e01f;packetization-mode=1");
    }

    @Test
    void invalidBuildsFailFast() {
        assertThatThrownBy(() -> MediaDescription.builder("audio").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one format");
        assertThatThrownBy(() -> MediaDescription.builder("audio").addFormat("opus").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("payload type");
        assertThatThrownBy(() -> MediaDescription.builder("audio").addFormat("0").addAttribute("rtpmap", "x").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("malformed rtpmap");
        assertThatThrownBy(() -> SessionDescription.builder().build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("origin");
        MediaDescription m = MediaDescription.builder("audio").addFormat("0").mid("0").build();
        assertThatThrownBy(() -> SessionDescription.builder().origin(Origin.of("1", 1, "::1")).addMedia(m).addMedia(m).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mid '0'");
        assertThatThrownBy(() -> Attribute.of("mid", "0\r\na=evil"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("CR, LF");
        assertThatThrownBy(() -> new Attribute("bad name", null)).isInstanceOf(IllegalArgumentException.class);
    }
}
