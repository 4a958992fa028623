package dev.convene.sdp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Malformed input gets an SdpParseException that says where and what. */
class SdpParserErrorsTest {
    private static final String HEAD = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n";
    private static final String AUDIO = "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n";

    private static SdpParseException failure(String sdp) {
        try {
            SdpParser.parse(sdp);
        } catch (SdpParseException e) {
            return e;
        }
        throw new AssertionError("parsed, but should not have: " + sdp);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            missing v=              | o=- 1 1 IN IP4 127.0.0.1\\ns=-\\nt=0 0\\n                 | 1 | an SDP must start with 'v=0', found 'o=- 1 1 IN IP4 127.0.0.1'
            wrong version           | v=1\\n                                                     | 1 | unsupported SDP version '1'
            missing o=              | v=0\\ns=-\\nt=0 0\\n                                       | 2 | expected the o= line right after v=, found 's=-'
            short o=                | v=0\\no=- 1 1 IN IP4\\ns=-\\nt=0 0\\n                      | 2 | malformed o= line '- 1 1 IN IP4': expected 6 fields
            non-numeric session id  | v=0\\no=- abc 1 IN IP4 x\\ns=-\\nt=0 0\\n                  | 2 | o= session id 'abc' is not a number
            ends after v=           | v=0\\n                                                     | 2 | expected the o= line right after v=, but the SDP ends
            missing t=              | v=0\\no=- 1 1 IN IP4 x\\ns=-\\nm=audio 9 RTP/AVP 0\\n       | 4 | missing t= line before the first m= line
            unknown type            | v=0\\no=- 1 1 IN IP4 x\\ns=-\\nt=0 0\\nx=hello\\n          | 5 | unknown line type 'x=' before the first m= line
            duplicate o=            | v=0\\no=- 1 1 IN IP4 x\\ns=-\\nt=0 0\\no=- 1 1 IN IP4 x\\n  | 5 | duplicate 'o=' line
            not a line              | v=0\\no=- 1 1 IN IP4 x\\ns=-\\nt=0 0\\nhello world\\n      | 5 | expected '<letter>=<value>', found 'hello world'
            upper-case type         | v=0\\no=- 1 1 IN IP4 x\\ns=-\\nt=0 0\\nA=b\\n              | 5 | expected '<letter>=<value>', found 'A=b'
            empty line              | v=0\\no=- 1 1 IN IP4 x\\ns=-\\n\\nt=0 0\\n                 | 4 | empty line
            bad timing              | v=0\\no=- 1 1 IN IP4 x\\ns=-\\nt=now 0\\n                  | 4 | start time 'now' is not a number
            bad connection          | v=0\\no=- 1 1 IN IP4 x\\ns=-\\nc=IN IP4\\nt=0 0\\n         | 4 | malformed c= line 'IN IP4'
            bad bandwidth           | v=0\\no=- 1 1 IN IP4 x\\ns=-\\nb=AS\\nt=0 0\\n             | 4 | malformed b= line 'AS'
            """)
    void sessionPartErrors(String what, String sdp, int line, String message) {
        SdpParseException e = failure(sdp.replace("\\n", "\r\n"));
        assertThat(e.lineNumber()).as(what).isEqualTo(line);
        assertThat(e.getMessage()).as(what).startsWith("line " + line + ": ").contains(message);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            m= too short            | m=audio 9 UDP/TLS/RTP/SAVPF                    | malformed m= line 'audio 9 UDP/TLS/RTP/SAVPF': expected <media> <port>
            non-numeric port        | m=audio nine UDP/TLS/RTP/SAVPF 111             | m= port 'nine' is not a number
            port out of range       | m=audio 70000 UDP/TLS/RTP/SAVPF 111            | m= port 70000 is out of range 0..65535
            bad port count          | m=audio 9/x UDP/TLS/RTP/SAVPF 111              | m= number of ports 'x' is not a number
            non-numeric PT          | m=audio 9 UDP/TLS/RTP/SAVPF 111 opus           | payload type 'opus' is not a number
            PT out of range         | m=audio 9 UDP/TLS/RTP/SAVPF 128                | payload type 128 is out of range 0..127
            negative PT             | m=audio 9 UDP/TLS/RTP/SAVPF -1                 | payload type '-1' is not a number
            double space            | m=audio  9 UDP/TLS/RTP/SAVPF 111               | has an empty field
            """)
    void mediaLineErrors(String what, String mLine, String message) {
        SdpParseException e = failure(HEAD + mLine.replace("\\u0020", " ") + "\r\n");
        assertThat(e.lineNumber()).as(what).isEqualTo(5);
        assertThat(e.reason()).as(what).contains(message);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            t= in media             | t=0 0                                   | 't=' line is not allowed in a media description (the m= line at line 5)
            unknown type in media   | y=1                                     | unknown line type 'y=' in the media description at line 5
            empty attribute name    | a=:x                                    | attribute has an empty name
            rtpmap without rate     | a=rtpmap:111 opus                       | malformed rtpmap '111 opus'
            rtpmap bad PT           | a=rtpmap:abc opus/48000                 | payload type 'abc' is not a number
            rtpmap zero rate        | a=rtpmap:111 opus/0/2                   | rtpmap clock rate 0 is out of range
            fmtp without params     | a=fmtp:111                              | malformed fmtp '111'
            rtcp-fb bad PT          | a=rtcp-fb:x nack                        | payload type 'x' is not a number
            extmap id zero          | a=extmap:0 urn:x                        | extmap id 0 is out of range
            extmap bad direction    | a=extmap:1/up urn:x                     | extmap direction 'up' is not sendrecv
            ssrc too big            | a=ssrc:4294967296 cname:x               | SSRC 4294967296 is out of range 0..4294967295
            ssrc-group no ssrc      | a=ssrc-group:FID                        | malformed ssrc-group 'FID'
            msid three fields       | a=msid:a b c                            | malformed msid 'a b c'
            rid bad direction       | a=rid:q both                            | rid direction 'both' is not send or recv
            rid bad id              | a=rid:q! send                           | rid id 'q!' may only hold letters
            simulcast bad dir       | a=simulcast:up q;h                      | simulcast direction 'up' is not send or recv
            simulcast empty rid     | a=simulcast:send q;;f                   | has a bad rid ''
            candidate no typ        | a=candidate:1 1 udp 1 127.0.0.1 9 host  | malformed candidate
            candidate bad port      | a=candidate:1 1 udp 1 127.0.0.1 x typ host | candidate port 'x' is not a number
            candidate odd ext       | a=candidate:1 1 udp 1 127.0.0.1 9 typ host generation | has an extension 'generation' without a value
            fingerprint not hex     | a=fingerprint:sha-256 zz:yy             | malformed fingerprint
            setup unknown           | a=setup:maybe                           | setup 'maybe' is not one of actpass
            mid empty               | a=mid:                                  | a=mid needs a value without spaces
            ice-ufrag flag          | a=ice-ufrag                             | a=ice-ufrag needs a value without spaces
            """)
    void mediaAttributeErrors(String what, String line, String message) {
        SdpParseException e = failure(HEAD + AUDIO + "a=rtcp-mux\r\n" + line + "\r\n");
        assertThat(e.lineNumber()).as(what).isEqualTo(7);
        assertThat(e.getMessage()).as(what).startsWith("line 7: ").contains(message);
    }

    @Test
    void duplicateMidNamesBothLines() {
        SdpParseException e = failure(HEAD + AUDIO + "a=mid:0\r\n" + AUDIO + "a=mid:0\r\n");
        assertThat(e.getMessage()).isEqualTo("line 8: mid '0' is already used by the m= line at line 5");
    }

    @Test
    void sizeLimits() {
        String big = HEAD + "a=x:" + "y".repeat(64 * 1024) + "\r\n";
        assertThat(failure(big).getMessage()).contains("more than the limit of 65536");

        String longLine = HEAD + "a=x:" + "y".repeat(5000) + "\r\n";
        assertThat(failure(longLine).getMessage()).isEqualTo("line 5: line is 5004 characters long, more than the limit of 4096");

        String manyLines = HEAD + "a=x\r\n".repeat(5000);
        assertThat(failure(manyLines).getMessage()).isEqualTo("SDP has more than 4096 lines");

        SdpParser.Limits tight = new SdpParser.Limits(100, 10, 50);
        assertThatThrownBy(() -> SdpParser.parse(Fixtures.text(Fixtures.AUDIO_VIDEO), tight))
                .isInstanceOf(SdpParseException.class).hasMessageContaining("more than the limit of 100");
    }

    @Test
    void garbageAndControlCharacters() {
        assertThat(failure(null).getMessage()).isEqualTo("no SDP (null)");
        assertThat(failure("").getMessage()).isEqualTo("empty SDP: expected 'v=0' on line 1");
        assertThat(failure("\u0000\u0001binary").getMessage()).isEqualTo("line 1: NUL character at column 1");
        assertThat(failure("{\"type\":\"offer\"}").getMessage())
                .isEqualTo("line 1: an SDP must start with 'v=0', found '{\"type\":\"offer\"}'");
        assertThat(failure(HEAD + "a=mid:0\rx\r\n").getMessage())
                .isEqualTo("line 5: stray carriage return inside the line (lines end in CRLF or LF)");
        assertThat(failure(HEAD + "a=x:\u0007bell\r\nq").getMessage())
                .isEqualTo("line 6: expected '<letter>=<value>', found 'q'");
    }

    @Test
    void acceptsLfLineEndsAndAMissingFinalNewlineButWritesCrlf() throws SdpParseException {
        SessionDescription lf = SdpParser.parse("v=0\no=- 1 1 IN IP4 x\ns=-\nt=0 0\nm=audio 9 RTP/AVP 0\na=unknown-thing:  kept as is ");
        assertThat(lf.toString()).isEqualTo("v=0\r\no=- 1 1 IN IP4 x\r\ns=-\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\n"
                + "a=unknown-thing:  kept as is\r\n");
        // Leading blanks belong to the value; trailing ones are dropped (see LiberalParsingTest).
        assertThat(lf.media().getFirst().attributeValue("unknown-thing")).contains("  kept as is");
    }

    @Test
    void candidateParseAcceptsTrickleForms() throws SdpParseException {
        String trickle = "candidate:1 1 udp 2122260223 127.0.0.1 51000 typ host generation 0 ufrag r9/i network-id 1";
        Candidate c = Candidate.parse(trickle);
        assertThat(Candidate.parse("a=" + trickle)).isEqualTo(c);
        assertThat(c.toValue()).isEqualTo(trickle.substring("candidate:".length()));
        assertThat(c.extensions()).containsEntry("ufrag", "r9/i");
        Candidate srflx = Candidate.parse("842163049 1 udp 1677729535 203.0.113.7 61234 typ srflx raddr 0.0.0.0 rport 0 generation 0");
        assertThat(srflx.relatedAddress()).isEqualTo("0.0.0.0");
        assertThat(srflx.relatedPort()).isZero();
        assertThat(srflx.toValue()).isEqualTo("842163049 1 udp 1677729535 203.0.113.7 61234 typ srflx raddr 0.0.0.0 rport 0 generation 0");
        assertThatThrownBy(() -> Candidate.parse("candidate:garbage")).isInstanceOf(SdpParseException.class)
                .hasMessageStartingWith("malformed candidate 'candidate:garbage'");
    }
}
