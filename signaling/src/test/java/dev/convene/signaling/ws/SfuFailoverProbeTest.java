package dev.convene.signaling.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.convene.media.transport.stun.StunClass;
import dev.convene.media.transport.stun.StunMessage;
import dev.convene.sfu.SfuNode;
import dev.convene.signaling.placement.SfuDirectory;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * ADR 0030 §2 with its guard: a node whose media port is silent while it keeps heartbeating is
 * cut off and failed over; a node silent on both (stalled or starved as a whole, as on a loaded
 * host) is not — the control connection's verdict covers that case. Real probes on loopback: one
 * fake SFU answers them, the other swallows them; the registry's view is the fake directory's.
 */
class SfuFailoverProbeTest {

    private final DatagramSocket answering = bind();
    private final DatagramSocket silent = bind();
    private final Thread responder = Thread.ofPlatform().daemon().start(this::answer);
    private final FakeDirectory directory = new FakeDirectory();
    private SfuFailover failover;

    @AfterEach
    void close() {
        if (failover != null) {
            failover.close();
        }
        answering.close();
        silent.close();
        responder.interrupt();
    }

    @Test
    void aSilentMediaPortCountsOnlyWhileItsNodeHeartbeats() {
        directory.running = false;
        failover = new SfuFailover(directory, List::of);
        long start = System.nanoTime();
        // Two full silences (1 s each) of a node that does not heartbeat either: stalled, not cut off.
        await("no node marked media-unreachable while it does not heartbeat").during(Duration.ofMillis(2_300))
                .atMost(Duration.ofSeconds(5)).until(directory.marked::isEmpty);

        directory.running = true;
        await("the silent, heartbeating node is found cut off").atMost(Duration.ofSeconds(3))
                .until(() -> directory.marked.contains("sfu-holed"));
        assertThat(directory.marked).as("only the silent node").containsOnly("sfu-holed");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(Duration.ofMillis(2_300));
    }

    private final class FakeDirectory implements SfuDirectory {
        volatile boolean running;
        final List<String> marked = new CopyOnWriteArrayList<>();

        @Override
        public Placement place(UUID meetingId, Optional<String> regionHint) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void keepPlacement(UUID meetingId, String nodeId) {}

        @Override
        public SfuNode node(String nodeId) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Map<String, InetSocketAddress> mediaAddresses() {
            return Map.of("sfu-ok", at(answering), "sfu-holed", at(silent));
        }

        @Override
        public boolean heardFromWithin(String nodeId, Duration within) {
            return running;
        }

        @Override
        public void markMediaUnreachable(String nodeId, InetSocketAddress address) {
            if (address != null) {
                marked.add(nodeId);
            }
        }
    }

    private static DatagramSocket bind() {
        try {
            return new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        } catch (java.net.SocketException e) {
            throw new IllegalStateException(e);
        }
    }

    private static InetSocketAddress at(DatagramSocket s) {
        return (InetSocketAddress) s.getLocalSocketAddress();
    }

    /** What {@code MediaHealthCheck} does on an SFU's media port. */
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
            if (m.isPresent() && m.get().isBindingRequest()) {
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
}
