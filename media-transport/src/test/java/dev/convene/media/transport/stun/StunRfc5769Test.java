package dev.convene.media.transport.stun;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** RFC 5769 "Test Vectors for STUN", §2.1–2.3, byte for byte (its padding bytes are spaces). */
class StunRfc5769Test {
    private static final byte[] PASSWORD = "VOkJxbRl1RmTxUk/WvJxBt".getBytes(StandardCharsets.UTF_8);
    private static final byte[] TRANSACTION_ID = hex("b7 e7 a7 01 bc 34 d6 86 fa 87 df ae");

    /** §2.1 Sample Request. */
    private static final byte[] REQUEST = hex("""
            00 01 00 58 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
            80 22 00 10 53 54 55 4e 20 74 65 73 74 20 63 6c 69 65 6e 74
            00 24 00 04 6e 00 01 ff
            80 29 00 08 93 2f f9 b1 51 26 3b 36
            00 06 00 09 65 76 74 6a 3a 68 36 76 59 20 20 20
            00 08 00 14 9a ea a7 0c bf d8 cb 56 78 1e f2 b5 b2 d3 f2 49 c1 b5 71 a2
            80 28 00 04 e5 7a 3b cf""");

    /** §2.2 Sample IPv4 Response. */
    private static final byte[] IPV4_RESPONSE = hex("""
            01 01 00 3c 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
            80 22 00 0b 74 65 73 74 20 76 65 63 74 6f 72 20
            00 20 00 08 00 01 a1 47 e1 12 a6 43
            00 08 00 14 2b 91 f5 99 fd 9e 90 c3 8c 74 89 f9 2a f9 ba 53 f0 6b e7 d7
            80 28 00 04 c0 7d 4c 96""");

    /** §2.3 Sample IPv6 Response. */
    private static final byte[] IPV6_RESPONSE = hex("""
            01 01 00 48 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
            80 22 00 0b 74 65 73 74 20 76 65 63 74 6f 72 20
            00 20 00 14 00 02 a1 47 01 13 a9 fa a5 d3 f1 79 bc 25 f4 b5 be d2 b9 d9
            00 08 00 14 a3 82 95 4e 4b e6 7b f1 17 84 c9 7c 82 92 c2 75 bf e3 ed 41
            80 28 00 04 c8 fb 0b 4c""");

    static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replaceAll("\\s+", ""));
    }

    @Test
    void sampleRequestParsesAndVerifies() {
        StunMessage m = StunMessage.parse(REQUEST, 0, REQUEST.length).orElseThrow();
        assertThat(m.isBindingRequest()).isTrue();
        assertThat(m.transactionId()).isEqualTo(TRANSACTION_ID);
        assertThat(m.attribute(StunAttributeType.SOFTWARE).orElseThrow().value())
                .isEqualTo("STUN test client".getBytes(StandardCharsets.UTF_8));
        assertThat(m.priority()).hasValue(0x6e0001ffL);
        assertThat(m.iceControlled()).hasValue(0x932ff9b151263b36L);
        assertThat(m.iceControlling()).isEmpty();
        assertThat(m.username()).hasValue("evtj:h6vY");
        assertThat(m.verifyMessageIntegrity(PASSWORD)).isTrue();
        assertThat(m.verifyMessageIntegrity("wrong".getBytes(StandardCharsets.UTF_8))).isFalse();
        assertThat(m.verifyFingerprint()).isTrue();
    }

    @Test
    void sampleRequestIsRebuiltByteForByte() {
        byte[] built = StunMessage.builder(StunMessage.METHOD_BINDING, StunClass.REQUEST, TRANSACTION_ID)
                .software("STUN test client")
                .priority(0x6e0001ffL)
                .iceControlled(0x932ff9b151263b36L)
                .username("evtj:h6vY")
                .messageIntegrity(PASSWORD)
                .fingerprint()
                .paddingByte((byte) 0x20)
                .build();
        assertThat(built).isEqualTo(REQUEST);
    }

    @Test
    void sampleIpv4ResponseParsesVerifiesAndRebuilds() throws Exception {
        StunMessage m = StunMessage.parse(IPV4_RESPONSE, 0, IPV4_RESPONSE.length).orElseThrow();
        assertThat(m.messageClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
        assertThat(m.method()).isEqualTo(StunMessage.METHOD_BINDING);
        InetSocketAddress expected = new InetSocketAddress(InetAddress.getByName("192.0.2.1"), 32853);
        assertThat(m.xorMappedAddress()).hasValue(expected);
        assertThat(m.verifyMessageIntegrity(PASSWORD)).isTrue();
        assertThat(m.verifyFingerprint()).isTrue();

        assertThat(response(expected)).isEqualTo(IPV4_RESPONSE);
    }

    @Test
    void sampleIpv6ResponseParsesVerifiesAndRebuilds() throws Exception {
        StunMessage m = StunMessage.parse(IPV6_RESPONSE, 0, IPV6_RESPONSE.length).orElseThrow();
        InetSocketAddress expected = new InetSocketAddress(
                InetAddress.getByName("2001:db8:1234:5678:11:2233:4455:6677"), 32853);
        assertThat(m.xorMappedAddress()).hasValue(expected);
        assertThat(m.verifyMessageIntegrity(PASSWORD)).isTrue();
        assertThat(m.verifyFingerprint()).isTrue();

        assertThat(response(expected)).isEqualTo(IPV6_RESPONSE);
    }

    @Test
    void anyFlippedBitBreaksIntegrityOrFingerprint() {
        for (int i = 0; i < REQUEST.length; i++) {
            byte[] bad = REQUEST.clone();
            bad[i] ^= 0x01;
            boolean stillValid = StunMessage.parse(bad, 0, bad.length)
                    .map(m -> m.verifyMessageIntegrity(PASSWORD) && m.verifyFingerprint())
                    .orElse(false);
            assertThat(stillValid).as("bit flipped in byte %d", i).isFalse();
        }
    }

    private static byte[] response(InetSocketAddress mapped) {
        return StunMessage.builder(StunMessage.METHOD_BINDING, StunClass.SUCCESS_RESPONSE, TRANSACTION_ID)
                .software("test vector")
                .xorMappedAddress(mapped)
                .messageIntegrity(PASSWORD)
                .fingerprint()
                .paddingByte((byte) 0x20)
                .build();
    }
}
