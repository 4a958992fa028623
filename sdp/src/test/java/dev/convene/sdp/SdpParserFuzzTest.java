package dev.convene.sdp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * Coverage-guided twin of {@link SdpFuzzTest}'s seeded mutations: any text (the bytes as UTF-8,
 * as a WebSocket frame would carry it) either parses or fails with {@link SdpParseException}
 * naming the problem; what parses serializes to text that parses to the same description, and
 * answers every typed accessor. Corpus: two Chromium captures and what fuzzing found.
 */
class SdpParserFuzzTest {

    @FuzzTest
    void parse(byte[] data) throws SdpParseException {
        String text = new String(data, StandardCharsets.UTF_8);
        SessionDescription sdp;
        try {
            sdp = SdpParser.parse(text);
        } catch (SdpParseException e) {
            assertThat(e.getMessage()).isNotBlank();
            assertThat(e.reason()).isNotBlank();
            assertThat(e.lineNumber()).isBetween(0, text.length() + 1);
            return;
        } catch (RuntimeException e) {
            fail("SdpParser.parse threw " + e + " instead of SdpParseException", e);
            return;
        }
        SdpFuzzTest.checkStable(sdp, 0);
    }
}
