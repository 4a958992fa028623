package dev.convene.media.transport.stun;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.convene.media.core.Framed;
import dev.convene.media.transport.ice.BindingOutcome;
import dev.convene.media.transport.ice.IceCredentials;
import dev.convene.media.transport.ice.IceLiteAgent;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * STUN (RFC 8489) as the media port receives it. {@code parse}: any bytes give a message or
 * empty, never an exception; what parses answers every accessor, never reads past its datagram,
 * and rebuilt from its attributes parses to the same attributes. {@code builder}: what the
 * builder writes parses back to what was put in, with integrity and fingerprint verifying.
 * {@code iceLiteAgent}: raw or well-authenticated checks against the SFU's agent always give an
 * outcome whose response is itself a valid STUN answer.
 */
class StunFuzzTest {
    private static final byte[] KEY = "fuzz-key".getBytes(StandardCharsets.UTF_8);
    private static final IceCredentials LOCAL = new IceCredentials("localUfr", "localPasswordLocalPasswd");
    private static final String REMOTE_UFRAG = "peerUfra";

    @FuzzTest
    void parse(byte[] data) {
        Optional<List<Object>> parsed = Framed.check(data, (buf, off, len) -> StunMessage.parse(buf, off, len)
                .map(m -> describe(m, len)));
        if (parsed.isEmpty() || data.length + 32 > StunMessage.HEADER_LENGTH + 0xFFFF) {
            return;
        }
        StunMessage message = StunMessage.parse(data, 0, data.length).orElseThrow();
        List<StunAttribute> plain = new ArrayList<>();
        for (StunAttribute a : message.attributes()) {
            if (a.type() != StunAttributeType.MESSAGE_INTEGRITY && a.type() != StunAttributeType.FINGERPRINT) {
                plain.add(a);
            }
        }
        StunMessage.Builder builder = StunMessage.builder(message.method(), message.messageClass(),
                message.transactionId());
        plain.forEach(a -> builder.attribute(a.type(), a.value()));
        byte[] rebuilt = builder.messageIntegrity(KEY).fingerprint().build();
        StunMessage again = StunMessage.parse(rebuilt, 0, rebuilt.length).orElseThrow();
        assertThat(again.method()).isEqualTo(message.method());
        assertThat(again.messageClass()).isEqualTo(message.messageClass());
        assertThat(again.hasTransactionId(message.transactionId())).isTrue();
        assertThat(again.attributes().subList(0, plain.size())).isEqualTo(plain);
        assertThat(again.verifyMessageIntegrity(KEY)).isTrue();
        assertThat(again.verifyFingerprint()).isTrue();
    }

    /** Everything a parsed message tells, with checks that hold for any message that parses. */
    private static List<Object> describe(StunMessage m, int len) {
        assertThat(m.toByteArray()).hasSize(len);
        assertThat(m.attributes().size()).as("attributes are bounded").isLessThanOrEqualTo(64);
        List<Object> attributes = new ArrayList<>();
        for (StunAttribute a : m.attributes()) {
            attributes.add(a.type() + ":" + HexFormat.of().formatHex(a.value()));
        }
        return List.of(m.method(), m.messageClass(), HexFormat.of().formatHex(m.transactionId()), attributes,
                m.isBindingRequest(), m.hasMessageIntegrity(), m.hasFingerprint(), m.verifyFingerprint(),
                m.verifyMessageIntegrity(KEY), m.verifyMessageIntegrity(new byte[0]), m.username(),
                m.xorMappedAddress(), m.mappedAddress(), m.priority(), m.useCandidate(), m.iceControlling(),
                m.iceControlled(), m.errorCode(), m.toString());
    }

    @FuzzTest
    void builder(FuzzedDataProvider data) {
        int method = data.consumeInt(0, 0xFFF);
        StunClass cls = data.pickValue(StunClass.values());
        byte[] transactionId = data.consumeBytes(StunMessage.TRANSACTION_ID_LENGTH);
        if (transactionId.length != StunMessage.TRANSACTION_ID_LENGTH) {
            return;
        }
        StunMessage.Builder b = StunMessage.builder(method, cls, transactionId);
        // What survives UTF-8 (an unpaired surrogate becomes '?') is what must come back.
        String username = new String(data.consumeString(128).getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
        if (username.getBytes(StandardCharsets.UTF_8).length <= 513) {
            b.username(username);
        } else {
            username = null;
        }
        long priority = data.consumeLong(0, 0xFFFFFFFFL);
        b.priority(priority);
        boolean useCandidate = data.consumeBoolean();
        if (useCandidate) {
            b.useCandidate();
        }
        long tieBreaker = data.consumeLong();
        boolean controlling = data.consumeBoolean();
        if (controlling) {
            b.iceControlling(tieBreaker);
        } else {
            b.iceControlled(tieBreaker);
        }
        InetSocketAddress address = address(data);
        b.xorMappedAddress(address).mappedAddress(address);
        int code = data.consumeInt(300, 699);
        String reason = data.consumeString(200);
        b.errorCode(code, reason);
        int unknownType = data.consumeInt(0xC000, 0xFFFF);
        byte[] unknownValue = data.consumeBytes(300);
        if (unknownType != StunAttributeType.FINGERPRINT) {
            b.attribute(unknownType, unknownValue);
        }
        byte[] key = data.consumeRemainingAsBytes();
        byte[] wire = Framed.write(0x10000, (buf, off) -> {
            byte[] built = b.messageIntegrity(key).fingerprint().build();
            System.arraycopy(built, 0, buf, off, built.length);
            return built.length;
        });

        StunMessage m = StunMessage.parse(wire, 0, wire.length).orElseThrow();
        assertThat(m.method()).isEqualTo(method);
        assertThat(m.messageClass()).isEqualTo(cls);
        assertThat(m.transactionId()).isEqualTo(transactionId);
        assertThat(m.username()).isEqualTo(Optional.ofNullable(username));
        assertThat(m.priority().orElseThrow()).isEqualTo(priority);
        assertThat(m.useCandidate()).isEqualTo(useCandidate);
        assertThat((controlling ? m.iceControlling() : m.iceControlled()).orElseThrow()).isEqualTo(tieBreaker);
        assertThat(m.xorMappedAddress()).contains(address);
        assertThat(m.mappedAddress()).contains(address);
        StunErrorCode error = m.errorCode().orElseThrow();
        assertThat(error.code()).isEqualTo(code);
        assertThat(error.reason()).isEqualTo(new String(reason.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8));
        assertThat(m.verifyMessageIntegrity(key)).isTrue();
        assertThat(m.verifyFingerprint()).isTrue();
        byte[] otherKey = (new String(key, StandardCharsets.ISO_8859_1) + "x").getBytes(StandardCharsets.ISO_8859_1);
        assertThat(m.verifyMessageIntegrity(otherKey)).isFalse();
    }

    private static InetSocketAddress address(FuzzedDataProvider data) {
        byte[] ip = data.consumeBytes(data.consumeBoolean() ? 4 : 16);
        if (ip.length != 4 && ip.length != 16) {
            ip = new byte[] {127, 0, 0, 1};
        }
        try {
            return new InetSocketAddress(InetAddress.getByAddress(ip), data.consumeInt(0, 0xFFFF));
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * Up to four checks against one agent. Each is either raw fuzz bytes or a Binding request
     * built with fuzz-chosen username, credentials, flags and source, so the fuzzer also reaches
     * the paths behind a valid MESSAGE-INTEGRITY.
     */
    @FuzzTest
    void iceLiteAgent(FuzzedDataProvider data) {
        IceLiteAgent agent = new IceLiteAgent(LOCAL, REMOTE_UFRAG, 0);
        for (int round = 0; round < 4 && data.remainingBytes() > 0; round++) {
            InetSocketAddress source = address(data);
            long now = data.consumeLong() & Long.MAX_VALUE >> 1;
            byte[] request;
            if (data.consumeBoolean()) {
                request = data.consumeBytes(data.consumeInt(0, 600));
            } else {
                StunMessage.Builder b = StunMessage.builder(StunMessage.METHOD_BINDING,
                        data.consumeBoolean() ? StunClass.REQUEST : StunClass.INDICATION,
                        StunMessage.newTransactionId(new java.util.Random(round)));
                if (data.consumeBoolean()) {
                    b.username(data.consumeBoolean() ? LOCAL.ufrag() + ":" + REMOTE_UFRAG : data.consumeString(40));
                }
                b.priority(data.consumeLong(0, 0xFFFFFFFFL));
                if (data.consumeBoolean()) {
                    b.useCandidate();
                }
                if (data.consumeBoolean()) {
                    b.iceControlled(data.consumeLong());
                } else {
                    b.iceControlling(data.consumeLong());
                }
                if (data.consumeBoolean()) {
                    b.messageIntegrity(data.consumeBoolean()
                            ? LOCAL.password().getBytes(StandardCharsets.UTF_8) : data.consumeBytes(24));
                }
                if (data.consumeBoolean()) {
                    b.fingerprint();
                }
                request = b.build();
            }
            Optional<StunMessage> parsed = StunMessage.parse(request, 0, request.length);
            BindingOutcome outcome = agent.handle(request, 0, request.length, source, now);
            switch (outcome) {
                case BindingOutcome.Accepted a -> {
                    StunMessage in = parsed.orElseThrow();
                    StunMessage response = StunMessage.parse(a.response(), 0, a.response().length).orElseThrow();
                    assertThat(response.messageClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
                    assertThat(response.hasTransactionId(in.transactionId())).isTrue();
                    assertThat(response.xorMappedAddress()).contains(source);
                    assertThat(response.verifyMessageIntegrity(LOCAL.password().getBytes(StandardCharsets.UTF_8)))
                            .isTrue();
                    assertThat(response.verifyFingerprint()).isTrue();
                    assertThat(in.verifyMessageIntegrity(LOCAL.password().getBytes(StandardCharsets.UTF_8)))
                            .as("only an authenticated check is accepted").isTrue();
                    assertThat(agent.isValidAddress(source)).isTrue();
                    if (a.nominated()) {
                        assertThat(agent.selectedAddress()).contains(source);
                    }
                }
                case BindingOutcome.Rejected r -> {
                    StunMessage in = parsed.orElseThrow();
                    StunMessage response = StunMessage.parse(r.response(), 0, r.response().length).orElseThrow();
                    assertThat(response.messageClass()).isEqualTo(StunClass.ERROR_RESPONSE);
                    assertThat(response.hasTransactionId(in.transactionId())).isTrue();
                    assertThat(response.errorCode().orElseThrow().code()).isEqualTo(r.errorCode()).isIn(400, 401, 487);
                    assertThat(response.verifyFingerprint()).isTrue();
                }
                case BindingOutcome.Dropped d -> assertThat(d.reason()).isNotBlank();
            }
            agent.consentExpired(now);
        }
    }
}
