package dev.convene.sdp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The attribute value types write back what they read. */
class ValueTypesTest {
    @ParameterizedTest
    @ValueSource(strings = {"send q;h;f", "recv q;h;f", "send 1,2;~3 recv 4", "recv a send b,~c"})
    void simulcastValues(String value) throws SdpParseException {
        Simulcast s = Simulcast.parse(value);
        assertThat(Simulcast.parse(s.toValue())).isEqualTo(s);
    }

    @Test
    void simulcastAlternativesAndPause() throws SdpParseException {
        Simulcast s = Simulcast.parse("send 1,2;~3 recv 4");
        assertThat(s.send()).containsExactly(
                List.of(new Simulcast.Alternative("1", false), new Simulcast.Alternative("2", false)),
                List.of(new Simulcast.Alternative("3", true)));
        assertThat(s.sendRids()).containsExactly("1", "3");
        assertThat(s.recvRids()).containsExactly("4");
        assertThat(s.toValue()).isEqualTo("send 1,2;~3 recv 4");
        assertThat(Simulcast.recv(List.of("q", "h")).toAttribute().toString()).isEqualTo("a=simulcast:recv q;h");
    }

    @Test
    void ridRestrictions() throws SdpParseException {
        Rid rid = Rid.parse("f recv pt=96,97;max-width=1280;max-height=720");
        assertThat(rid.direction()).isEqualTo(Rid.Direction.RECV);
        assertThat(rid.payloadTypes()).containsExactly(96, 97);
        assertThat(rid.restrictionMap()).containsEntry("max-width", "1280").containsEntry("max-height", "720");
        assertThat(rid.reverse().toValue()).isEqualTo("f send pt=96,97;max-width=1280;max-height=720");
    }

    @ParameterizedTest
    @ValueSource(strings = {"1 urn:ietf:params:rtp-hdrext:ssrc-audio-level", "3/sendrecv urn:x attr1 attr2",
            "4096/recvonly urn:y"})
    void extmapValues(String value) throws SdpParseException {
        assertThat(Extmap.parse(value).toValue()).isEqualTo(value);
    }

    @ParameterizedTest
    @ValueSource(strings = {"* transport-cc", "96 nack pli", "96 ccm fir", "100 goog-remb"})
    void rtcpFeedbackValues(String value) throws SdpParseException {
        RtcpFeedback fb = RtcpFeedback.parse(value);
        assertThat(fb.toValue()).isEqualTo(value);
        assertThat(fb.appliesTo(96)).isEqualTo(value.startsWith("*") || value.startsWith("96"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"111 opus/48000/2", "96 VP8/90000", "0 PCMU/8000"})
    void rtpMapValues(String value) throws SdpParseException {
        assertThat(RtpMap.parse(value).toValue()).isEqualTo(value);
    }

    @Test
    void fmtpToleratesSpacesAfterSemicolons() throws SdpParseException {
        Fmtp f = Fmtp.parse("111 minptime=10; useinbandfec=1;");
        assertThat(f.parameters()).containsEntry("minptime", "10").containsEntry("useinbandfec", "1");
        assertThat(f.toValue()).isEqualTo("111 minptime=10;useinbandfec=1");
        assertThat(f.apt()).isEmpty();
    }

    @Test
    void fingerprintFromDigest() throws SdpParseException {
        byte[] digest = new byte[32];
        digest[0] = (byte) 0xAB;
        Fingerprint f = Fingerprint.sha256(digest);
        assertThat(f.value()).startsWith("AB:00:00").hasSize(32 * 3 - 1);
        assertThat(Fingerprint.parse(f.toAttribute().value())).isEqualTo(f);
        assertThat(f.bytes()).isEqualTo(digest);
    }

    @Test
    void hostCandidatePriorityFollowsRfc8445() {
        Candidate c = Candidate.host("1", "udp", "127.0.0.1", 50000, 65535);
        assertThat(c.priority()).isEqualTo((126L << 24) + (65535L << 8) + 255);
        assertThat(c.toAttribute().toString()).isEqualTo("a=candidate:1 1 udp 2130706431 127.0.0.1 50000 typ host");
    }

    @Test
    void directionsMirror() {
        assertThat(Direction.SENDONLY.reverse()).isEqualTo(Direction.RECVONLY);
        assertThat(Direction.SENDRECV.reverse()).isEqualTo(Direction.SENDRECV);
        assertThat(Direction.fromSdpName("inactive")).contains(Direction.INACTIVE);
        assertThat(Direction.fromSdpName("rtcp-mux")).isEmpty();
    }
}
