package dev.convene.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;

/**
 * Any text frame on the control channel (docs/control-protocol.md): it decodes to a frame or
 * fails with a {@link FrameException} carrying a stable code and a message, never anything else;
 * a decoded frame encodes to text that decodes to the same frame, and that text is stable.
 */
class ControlCodecFuzzTest {
    private final ControlCodec codec = new ControlCodec();

    @FuzzTest
    void decode(byte[] data) throws Exception {
        String text = new String(data, StandardCharsets.UTF_8);
        ControlFrame frame;
        try {
            frame = codec.decode(text);
        } catch (FrameException e) {
            assertThat(e.code()).isIn(EnumSet.of(ControlError.MALFORMED_FRAME, ControlError.UNSUPPORTED_VERSION,
                    ControlError.UNKNOWN_TYPE));
            assertThat(e.getMessage()).isNotBlank();
            assertThat(e.requestId()).isNotNegative();
            assertThat(e.toReply().code()).isEqualTo(e.code());
            return;
        } catch (RuntimeException e) {
            fail("ControlCodec.decode threw " + e + " instead of FrameException", e);
            return;
        }
        assertThat(frame).isNotNull();
        // A strict reader (no trailing content) must accept whatever the codec accepted.
        assertThat(new com.fasterxml.jackson.databind.ObjectMapper()
                .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .readTree(text).get("v").bigIntegerValue())
                .as("only version 1 is accepted").isEqualTo(java.math.BigInteger.ONE);
        String encoded = codec.encode(frame);
        assertThat(codec.decode(encoded)).as("decode(encode(frame))").isEqualTo(frame);
        assertThat(codec.encode(codec.decode(encoded))).isEqualTo(encoded);
        if (frame instanceof ControlFrame.Request request) {
            assertThat(request.id()).isPositive();
            assertThat(request.session().length()).isBetween(1, ControlCodec.MAX_SESSION_ID_LENGTH);
        }
    }
}
