package dev.convene.media.transport.stun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class StunMessageTest {
    private static final byte[] KEY = "a-short-term-password!".getBytes(StandardCharsets.UTF_8);

    private static byte[] tid(int seed) {
        return StunMessage.newTransactionId(new Random(seed));
    }

    @Test
    void messageTypeEncodesMethodAndClass() {
        assertThat(StunMessage.messageType(StunMessage.METHOD_BINDING, StunClass.REQUEST)).isEqualTo(0x0001);
        assertThat(StunMessage.messageType(StunMessage.METHOD_BINDING, StunClass.INDICATION)).isEqualTo(0x0011);
        assertThat(StunMessage.messageType(StunMessage.METHOD_BINDING, StunClass.SUCCESS_RESPONSE)).isEqualTo(0x0101);
        assertThat(StunMessage.messageType(StunMessage.METHOD_BINDING, StunClass.ERROR_RESPONSE)).isEqualTo(0x0111);
        for (int method = 0; method <= 0xFFF; method += 0x123) {
            for (StunClass c : StunClass.values()) {
                int type = StunMessage.messageType(method, c);
                assertThat(StunMessage.methodOf(type)).isEqualTo(method);
                assertThat(StunMessage.classOf(type)).isEqualTo(c);
            }
        }
    }

    @Test
    void everyAttributeRoundTrips() throws Exception {
        InetSocketAddress v4 = new InetSocketAddress(InetAddress.getByName("203.0.113.9"), 50000);
        InetSocketAddress v6 = new InetSocketAddress(InetAddress.getByName("fd00::1:2"), 1);
        byte[] id = tid(1);
        byte[] bytes = StunMessage.builder(StunMessage.METHOD_BINDING, StunClass.ERROR_RESPONSE, id)
                .username("ab:cdé")
                .priority(0xFFFFFFFEL)
                .useCandidate()
                .iceControlling(-2L)
                .mappedAddress(v4)
                .xorMappedAddress(v6)
                .errorCode(487, "Role Conflict")
                .attribute(0xC001, new byte[] {1, 2, 3})
                .messageIntegrity(KEY)
                .fingerprint()
                .build();

        StunMessage m = StunMessage.parse(bytes, 0, bytes.length).orElseThrow();
        assertThat(m.messageClass()).isEqualTo(StunClass.ERROR_RESPONSE);
        assertThat(m.hasTransactionId(id)).isTrue();
        assertThat(m.username()).hasValue("ab:cdé");
        assertThat(m.priority()).hasValue(0xFFFFFFFEL);
        assertThat(m.useCandidate()).isTrue();
        assertThat(m.iceControlling()).hasValue(-2L);
        assertThat(m.mappedAddress()).hasValue(v4);
        assertThat(m.xorMappedAddress()).hasValue(v6);
        assertThat(m.errorCode()).hasValue(new StunErrorCode(487, "Role Conflict"));
        assertThat(m.attribute(0xC001).orElseThrow().value()).containsExactly(1, 2, 3);
        assertThat(m.verifyMessageIntegrity(KEY)).isTrue();
        assertThat(m.verifyFingerprint()).isTrue();
        assertThat(m.toByteArray()).isEqualTo(bytes);
    }

    @Test
    void parsesAtAnOffsetInsideALargerBuffer() {
        byte[] msg = StunMessage.builder(1, StunClass.REQUEST, tid(2)).username("x:y").fingerprint().build();
        byte[] buf = new byte[msg.length + 30];
        System.arraycopy(msg, 0, buf, 13, msg.length);
        assertThat(StunMessage.parse(buf, 13, msg.length)).hasValueSatisfying(m -> {
            assertThat(m.username()).hasValue("x:y");
            assertThat(m.verifyFingerprint()).isTrue();
        });
        assertThat(StunMessage.looksLikeStun(buf, 13, msg.length)).isTrue();
        assertThat(StunMessage.parse(buf, 13, msg.length + 4)).as("trailing bytes").isEmpty();
    }

    @Test
    void strictValidationRejectsMalformedHeadersAndAttributes() {
        byte[] good = StunMessage.builder(1, StunClass.REQUEST, tid(3)).username("user:name")
                .messageIntegrity(KEY).fingerprint().build();
        assertThat(StunMessage.parse(good, 0, good.length)).isPresent();

        assertThat(StunMessage.parse(good, 0, 19)).as("shorter than a header").isEmpty();
        assertThat(StunMessage.parse(mutate(good, 0, 0x40), 0, good.length)).as("top bits").isEmpty();
        assertThat(StunMessage.parse(mutate(good, 4, 0x21 ^ 0x01), 0, good.length)).as("cookie").isEmpty();
        assertThat(StunMessage.parse(mutate(good, 3, good[3] ^ 0x02), 0, good.length)).as("length not /4").isEmpty();
        assertThat(StunMessage.parse(mutate(good, 3, good[3] ^ 0x04), 0, good.length)).as("length mismatch").isEmpty();
        assertThat(StunMessage.parse(mutate(good, 23, 0xFF), 0, good.length)).as("attribute past the end").isEmpty();
        assertThat(StunMessage.parse(null, 0, 20)).isEmpty();
        assertThat(StunMessage.parse(good, -1, 20)).isEmpty();
        assertThat(StunMessage.parse(good, 10, good.length)).isEmpty();

        // Known attributes of the wrong size.
        assertThat(parse(StunMessage.builder(1, StunClass.REQUEST, tid(4))
                .attribute(StunAttributeType.PRIORITY, new byte[3]).build())).isEmpty();
        assertThat(parse(StunMessage.builder(1, StunClass.REQUEST, tid(4))
                .attribute(StunAttributeType.USE_CANDIDATE, new byte[4]).build())).isEmpty();
        assertThat(parse(StunMessage.builder(1, StunClass.REQUEST, tid(4))
                .attribute(StunAttributeType.XOR_MAPPED_ADDRESS, new byte[12]).build())).isEmpty();

        // Anything after FINGERPRINT.
        byte[] extra = Arrays.copyOf(good, good.length + 4);
        extra[extra.length - 4] = 0x00;
        extra[extra.length - 3] = 0x25; // USE-CANDIDATE, empty
        extra[3] = (byte) (extra.length - 20);
        assertThat(StunMessage.parse(extra, 0, extra.length)).isEmpty();
    }

    @Test
    void attributesAfterIntegrityAreIgnoredButFingerprintCounts() {
        byte[] id = tid(5);
        byte[] withMi = StunMessage.builder(1, StunClass.REQUEST, id).username("u:v").messageIntegrity(KEY).build();
        // Append USE-CANDIDATE after MESSAGE-INTEGRITY (an attacker's addition).
        byte[] tampered = Arrays.copyOf(withMi, withMi.length + 4);
        tampered[withMi.length + 1] = 0x25;
        tampered[3] = (byte) (tampered.length - 20);
        StunMessage m = StunMessage.parse(tampered, 0, tampered.length).orElseThrow();
        assertThat(m.useCandidate()).isFalse();
        assertThat(m.verifyMessageIntegrity(KEY)).isTrue();
    }

    @Test
    void missingIntegrityOrFingerprintVerifyFalse() {
        byte[] bare = StunMessage.builder(1, StunClass.REQUEST, tid(6)).build();
        StunMessage m = parse(bare).orElseThrow();
        assertThat(m.verifyMessageIntegrity(KEY)).isFalse();
        assertThat(m.verifyFingerprint()).isFalse();
        assertThat(m.username()).isEmpty();
        assertThat(m.xorMappedAddress()).isEmpty();
        assertThat(m.errorCode()).isEmpty();
    }

    @Test
    void builderRefusesWhatItCannotWrite() {
        assertThatThrownBy(() -> StunMessage.builder(1, StunClass.REQUEST, new byte[11]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StunMessage.builder(0x1000, StunClass.REQUEST, tid(7)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StunMessage.builder(1, StunClass.REQUEST, tid(7))
                .attribute(StunAttributeType.FINGERPRINT, new byte[4])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new StunErrorCode(200, "OK")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void randomGarbageNeverThrows() {
        Random random = new Random(5389);
        byte[] valid = StunMessage.builder(1, StunClass.REQUEST, tid(8)).username("abcd:efgh").priority(1)
                .iceControlling(7).useCandidate().messageIntegrity(KEY).fingerprint().build();
        byte[] buf = new byte[600];
        int parsed = 0;
        for (int i = 0; i < 50_000; i++) {
            int len;
            if (i % 2 == 0) {
                // Mutations of a valid message: these get past the header checks.
                len = valid.length;
                System.arraycopy(valid, 0, buf, 0, len);
                for (int k = random.nextInt(4); k >= 0; k--) {
                    buf[random.nextInt(len)] = (byte) random.nextInt(256);
                }
                if (random.nextInt(8) == 0) {
                    len = random.nextInt(len + 1);
                }
            } else {
                len = random.nextInt(buf.length);
                random.nextBytes(buf);
                buf[0] &= 0x3F;
                buf[4] = 0x21;
                buf[5] = 0x12;
                buf[6] = (byte) 0xA4;
                buf[7] = 0x42;
                if (len >= 4) {
                    buf[2] = (byte) ((len - 20) >>> 8);
                    buf[3] = (byte) (len - 20);
                }
            }
            var m = StunMessage.parse(buf, 0, len);
            if (m.isPresent()) {
                parsed++;
                StunMessage s = m.get();
                s.username();
                s.xorMappedAddress();
                s.mappedAddress();
                s.priority();
                s.iceControlled();
                s.iceControlling();
                s.errorCode();
                s.verifyMessageIntegrity(KEY);
                s.verifyFingerprint();
            }
        }
        assertThat(parsed).as("the loop reached the attribute code").isGreaterThan(100);
    }

    private static java.util.Optional<StunMessage> parse(byte[] b) {
        return StunMessage.parse(b, 0, b.length);
    }

    private static byte[] mutate(byte[] b, int at, int value) {
        byte[] c = b.clone();
        c[at] = (byte) value;
        return c;
    }
}
