package dev.convene.signaling.placement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.convene.media.transport.stun.StunClass;
import dev.convene.media.transport.stun.StunMessage;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The probe over real UDP on loopback against two stand-in media ports: one answers Binding
 * requests as {@code MediaHealthCheck} does, one swallows them. Verdict times are passed in.
 */
class MediaProbeTest {

    private static final long SILENCE = MediaProbe.SILENCE.toNanos();

    private final DatagramSocket answering = bind();
    private final DatagramSocket silent = bind();
    private final Thread responder = Thread.ofPlatform().daemon().start(this::answer);
    private MediaProbe probe;

    private static DatagramSocket bind() {
        try {
            return new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        } catch (java.net.SocketException e) {
            throw new IllegalStateException(e);
        }
    }

    private void answer() {
        byte[] buf = new byte[1500];
        while (!answering.isClosed()) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                answering.receive(p);
            } catch (java.io.IOException e) {
                return;
            }
            Optional<StunMessage> m = StunMessage.parse(buf, 0, p.getLength());
            if (m.isPresent() && m.get().isBindingRequest() && m.get().username().orElse("").equals("convene-health")) {
                InetSocketAddress from = (InetSocketAddress) p.getSocketAddress();
                byte[] r = StunMessage.builder(StunMessage.METHOD_BINDING, StunClass.SUCCESS_RESPONSE, m.get().transactionId())
                        .xorMappedAddress(from).fingerprint().build();
                try {
                    answering.send(new DatagramPacket(r, r.length, from));
                } catch (java.io.IOException e) {
                    return;
                }
            }
        }
    }

    @AfterEach
    void close() {
        if (probe != null) {
            probe.close();
        }
        answering.close();
        silent.close();
        responder.interrupt();
    }

    private static InetSocketAddress at(DatagramSocket s) {
        return (InetSocketAddress) s.getLocalSocketAddress();
    }

    @Test
    void aNodeSilentForOneSecondWhileAnotherAnswersIsUnreachable() throws Exception {
        probe = new MediaProbe();
        Map<String, InetSocketAddress> nodes = Map.of("sfu-ok", at(answering), "sfu-holed", at(silent));
        long t0 = System.nanoTime();
        probe.send(nodes, t0);
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20)).until(() -> {
            probe.send(nodes, System.nanoTime());
            return probe.answering("sfu-ok", System.nanoTime());
        });
        long now = System.nanoTime();
        // Not before a full silence since it was first probed...
        assertThat(probe.unreachable("sfu-holed", t0 + SILENCE - 1)).isFalse();
        // ...then yes, while the other answers; the answering one never.
        if (now - t0 >= SILENCE) {
            assertThat(probe.unreachable("sfu-holed", now)).isTrue();
        }
        assertThat(probe.unreachable("sfu-holed", t0 + SILENCE)).isTrue();
        assertThat(probe.unreachable("sfu-ok", now)).isFalse();
        // Once the answering node's last answer is a silence old too, nobody is blamed: it may be us.
        assertThat(probe.unreachable("sfu-holed", now + 2 * SILENCE)).isFalse();
    }

    @Test
    void whenNoNodeAnswersNoneIsUnreachable() throws Exception {
        probe = new MediaProbe();
        DatagramSocket alsoSilent = bind();
        try {
            Map<String, InetSocketAddress> nodes = Map.of("a", at(silent), "b", at(alsoSilent));
            long t0 = System.nanoTime();
            probe.send(nodes, t0);
            assertThat(probe.unreachable("a", t0 + 3 * SILENCE)).isFalse();
            assertThat(probe.unreachable("b", t0 + 3 * SILENCE)).isFalse();
        } finally {
            alsoSilent.close();
        }
    }

    @Test
    void aNodeNoLongerListedIsForgotten() throws Exception {
        probe = new MediaProbe();
        long t0 = System.nanoTime();
        probe.send(Map.of("gone", at(silent), "sfu-ok", at(answering)), t0);
        probe.send(Map.of("sfu-ok", at(answering)), t0 + 1);
        assertThat(probe.unreachable("gone", t0 + 5 * SILENCE)).isFalse();
    }
}
