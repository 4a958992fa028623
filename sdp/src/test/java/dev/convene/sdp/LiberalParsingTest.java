package dev.convene.sdp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Parse liberally, write strictly: what real clients send that is harmless is accepted and written clean. */
class LiberalParsingTest {

    /** An offer as Pion 3.1 writes it: blanks after values, attributes nobody registered. */
    private static final String PION_LIKE = String.join("\r\n",
            "v=0",
            "o=- 8291 1 IN IP4 0.0.0.0 ",
            "s= ",
            "t=0 0",
            "a=fingerprint:sha-256 AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89",
            "a=extmap-allow-mixed",
            "a=x-google-flag:conference",
            "a=group:BUNDLE 0 ",
            "m=audio 9 UDP/TLS/RTP/SAVPF 111 ",
            "c=IN IP4 0.0.0.0\t",
            "a=setup:actpass ",
            "a=mid:0 ",
            "a=ice-ufrag:abcd",
            "a=ice-pwd:0123456789abcdefghijklmn",
            "a=rtcp-mux ",
            "a=rtcp-rsize",
            "a=rtpmap:111 opus/48000/2 ",
            "a=fmtp:111 minptime=10;useinbandfec=1 ",
            "a=rtcp-fb:111 transport-cc ",
            "a=rtcp-fb:111 nack  ",
            "a=x-unknown-thing:whatever it says \t",
            "a=ssrc:1234 cname:pion ",
            "a=sendrecv ",
            "");

    @Test
    void trailingBlanksAreIgnoredAndUnknownAttributesKept() throws Exception {
        SessionDescription sdp = SdpParser.parse(PION_LIKE);

        MediaDescription audio = sdp.media().getFirst();
        assertThat(audio.formats()).containsExactly("111");
        assertThat(audio.setup()).contains(Setup.ACTPASS);
        assertThat(audio.mid()).contains("0");
        assertThat(audio.direction()).isEqualTo(Direction.SENDRECV);
        assertThat(audio.codecs()).singleElement().satisfies(c -> {
            assertThat(c.name()).isEqualTo("opus");
            assertThat(c.feedback()).extracting(RtcpFeedback::toValue).containsExactly("111 transport-cc", "111 nack");
        });
        assertThat(audio.ssrcs()).containsExactly(1234L);
        assertThat(sdp.bundleGroup()).hasValueSatisfying(g -> assertThat(g.mids()).containsExactly("0"));
        assertThat(audio.attributes("x-unknown-thing")).singleElement()
                .satisfies(a -> assertThat(a.value()).isEqualTo("whatever it says"));
        assertThat(sdp.attributes("x-google-flag")).hasSize(1);
        assertThat(sdp.sessionName()).as("free text keeps its blank").isEqualTo(" ");
    }

    @Test
    void whatIsWrittenBackHasNoTrailingBlanks() throws Exception {
        String written = SdpParser.parse(PION_LIKE).toString();

        for (String line : written.split("\r\n")) {
            if (!line.startsWith("s=")) {
                assertThat(line).as(line).doesNotEndWith(" ").doesNotEndWith("\t");
            }
        }
        assertThat(SdpParser.parse(written).toString()).isEqualTo(written);
    }
}
