package dev.convene.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.convene.sdp.Direction;
import dev.convene.sdp.MediaDescription;
import dev.convene.sdp.SessionDescription;
import dev.convene.sdp.Setup;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ClientSdpTest {

    /** A subscriber offer as the SFU writes one: a sendonly audio line and an idle video line. */
    private static final String SFU_OFFER = String.join("\r\n",
            "v=0",
            "o=- 42 3 IN IP4 127.0.0.1",
            "s=-",
            "t=0 0",
            "a=ice-lite",
            "a=msid-semantic: WMS *",
            "a=group:BUNDLE 0 1",
            "m=audio 9 UDP/TLS/RTP/SAVPF 111",
            "c=IN IP4 127.0.0.1",
            "a=ice-ufrag:sfuA",
            "a=ice-pwd:abcdefghijklmnopqrstuvwx",
            "a=fingerprint:sha-256 " + "AB:".repeat(31) + "AB",
            "a=setup:actpass",
            "a=mid:0",
            "a=sendonly",
            "a=msid:PA_1 TR_1",
            "a=rtcp-mux",
            "a=rtcp-rsize",
            "a=rtpmap:111 opus/48000/2",
            "a=fmtp:111 minptime=10;useinbandfec=1",
            "a=ssrc:123456 cname:convene-PA_1",
            "a=ssrc:123456 msid:PA_1 TR_1",
            "a=candidate:1 1 udp 2130706431 127.0.0.1 50000 typ host",
            "a=end-of-candidates",
            "m=video 9 UDP/TLS/RTP/SAVPF 96",
            "c=IN IP4 127.0.0.1",
            "a=ice-ufrag:sfuA",
            "a=ice-pwd:abcdefghijklmnopqrstuvwx",
            "a=fingerprint:sha-256 " + "AB:".repeat(31) + "AB",
            "a=setup:actpass",
            "a=mid:1",
            "a=inactive",
            "a=rtcp-mux",
            "a=rtpmap:96 VP8/90000",
            "a=candidate:1 1 udp 2130706431 127.0.0.1 50000 typ host") + "\r\n";

    private final MediaTransportClient transport = MediaTransportClient.open("test", InetAddress.getLoopbackAddress());

    @AfterEach
    void close() {
        transport.close();
    }

    @Test
    void publisherOfferIsWhatABrowserWouldSend() {
        List<LocalTrack> tracks = List.of(
                new LocalTrack("0", "audio", "microphone", 1111, 0, 111, null),
                new LocalTrack("1", "video", "camera", 2222, 3333, 96, null));
        SessionDescription offer = ClientSdp.parse(ClientSdp.publisherOffer(7, 2, transport, "s", "c", tracks));

        assertThat(offer.bundleGroup().orElseThrow().mids()).containsExactly("0", "1");
        assertThat(offer.media()).hasSize(2).allSatisfy(m -> {
            assertThat(m.direction()).isEqualTo(Direction.SENDONLY);
            assertThat(m.setup()).contains(Setup.ACTPASS);
            assertThat(m.iceUfrag()).contains(transport.localIce().ufrag());
            assertThat(m.fingerprint().orElseThrow().value()).isEqualTo(transport.localFingerprint().hex());
            assertThat(m.rtcpMux()).isTrue();
            assertThat(m.candidates()).singleElement()
                    .satisfies(c -> assertThat(c.port()).isEqualTo(transport.localAddress().getPort()));
        });
        MediaDescription audio = offer.media("0").orElseThrow();
        assertThat(audio.payloadTypeFor("opus", 48000)).hasValue(111);
        assertThat(audio.ssrcs()).containsExactly(1111L);
        MediaDescription video = offer.media("1").orElseThrow();
        assertThat(video.payloadTypeFor("VP8", 90000)).hasValue(96);
        assertThat(video.ssrcs()).containsExactly(2222L, 3333L);
        assertThat(video.ssrcGroup("FID").orElseThrow().ssrcs()).containsExactly(2222L, 3333L);
        assertThat(ClientSdp.rtxPayloadTypes(offer)).containsExactly(Map.entry(ClientSdp.RTX_PAYLOAD_TYPE, 96));
        assertThat(ClientSdp.rtxSsrcs(offer)).containsExactly(Map.entry(3333L, 2222L));
        assertThat(ClientSdp.nackPayloadTypes(offer)).containsExactly(96);
        assertThat(ClientSdp.acceptedRtxPayloadType(offer, "1", 96)).isEqualTo(ClientSdp.RTX_PAYLOAD_TYPE);
        assertThat(ClientSdp.acceptedRtxPayloadType(offer, "0", 111)).isEqualTo(-1);
    }

    @Test
    void subscriberAnswerMirrorsTheOfferAsTheDtlsClient() {
        SessionDescription offer = ClientSdp.parse(SFU_OFFER);
        SessionDescription answer = ClientSdp.parse(ClientSdp.subscriberAnswer(9, 2, offer, transport));

        assertThat(answer.mids()).containsExactly("0", "1");
        assertThat(answer.media("0").orElseThrow().direction()).isEqualTo(Direction.RECVONLY);
        assertThat(answer.media("1").orElseThrow().direction()).isEqualTo(Direction.INACTIVE);
        assertThat(answer.media()).allSatisfy(m -> assertThat(m.setup()).contains(Setup.ACTIVE));
        assertThat(answer.media("0").orElseThrow().payloadTypeFor("opus", 48000)).hasValue(111);
    }

    @Test
    void readsTheSfuTransportAndSsrcsFromItsDescription() {
        SessionDescription offer = ClientSdp.parse(SFU_OFFER);

        MediaTransportClient.Remote remote = ClientSdp.remoteTransport(offer);
        assertThat(remote.address()).isEqualTo(new InetSocketAddress("127.0.0.1", 50000));
        assertThat(remote.ice().ufrag()).isEqualTo("sfuA");
        assertThat(remote.fingerprint().hex()).isEqualTo("AB:".repeat(31) + "AB");
        assertThat(ClientSdp.ssrcsByMid(offer)).containsExactly(Map.entry("0", 123456L));
        assertThat(ClientSdp.acceptedPayloadTypes(offer)).containsOnlyKeys("0");
    }

    @Test
    void parsesTheSfusOfferForAMeetingOfAHundredBeyondTheLimitKeptForUntrustedSdp() {
        // 99 others with audio and video: ~200 m-lines, as LocalSfuNode offers in a full meeting.
        String head = SFU_OFFER.substring(0, SFU_OFFER.indexOf("a=group:BUNDLE"));
        String audioLine = SFU_OFFER.substring(SFU_OFFER.indexOf("m=audio"), SFU_OFFER.indexOf("m=video"));
        StringBuilder offer = new StringBuilder(head);
        StringBuilder bundle = new StringBuilder("a=group:BUNDLE");
        StringBuilder lines = new StringBuilder();
        for (int mid = 0; mid < 198; mid++) {
            bundle.append(' ').append(mid);
            lines.append(audioLine.replace("a=mid:0", "a=mid:" + mid).replace("123456", Integer.toString(200_000 + mid))
                    .replace("TR_1", "TR_" + mid));
        }
        offer.append(bundle).append("\r\n").append(lines);
        assertThat(offer.length()).isGreaterThan(64 * 1024);

        SessionDescription parsed = ClientSdp.parse(offer.toString());

        assertThat(parsed.media()).hasSize(198);
        assertThat(ClientSdp.ssrcsByMid(parsed)).containsEntry("197", 200_197L);
    }
}
