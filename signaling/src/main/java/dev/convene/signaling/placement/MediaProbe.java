package dev.convene.signaling.placement;

import dev.convene.media.transport.stun.StunClass;
import dev.convene.media.transport.stun.StunMessage;
import dev.convene.sfu.transport.MediaHealthCheck;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Probes each SFU's media port with a STUN Binding request (ADR 0030) every time {@link #send}
 * is called (every 250 ms), and says which node has not answered for {@link #SILENCE}. A node
 * counts as unreachable only while another node does answer: when every probe goes
 * unanswered, the fault is more likely this signaling node's own network, and moving every
 * meeting would make it worse.
 *
 * <p>One UDP socket and one receiving thread per signaling node; times are {@link System#nanoTime()}.
 */
public final class MediaProbe implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(MediaProbe.class);

    /** No answer for this long: the node's media port is unreachable (four probes lost). */
    public static final Duration SILENCE = Duration.ofMillis(1_000);
    /** Transaction ids older than this are forgotten; a later answer to them does not count. */
    private static final long FORGET_NANOS = Duration.ofSeconds(2).toNanos();

    private final DatagramSocket socket;
    private final Thread receiver;
    /** Transaction id (hex) → the node it was sent to and when. */
    private final Map<String, Sent> outstanding = new ConcurrentHashMap<>();
    private final Map<String, Seen> nodes = new ConcurrentHashMap<>();

    private record Sent(String nodeId, long at) {}

    /** When a node was first probed, and when it last answered (0: never). */
    private static final class Seen {
        final long firstProbed;
        volatile long answered;

        Seen(long firstProbed) {
            this.firstProbed = firstProbed;
        }

        /** The last sign of life: an answer, or the first probe (a new node gets its full silence). */
        long since() {
            long a = answered;
            return a == 0 ? firstProbed : a;
        }
    }

    public MediaProbe() throws SocketException {
        this.socket = new DatagramSocket();
        this.receiver = Thread.ofPlatform().name("convene-media-probe").daemon().start(this::receive);
    }

    /** Sends one probe to each node's media address, and forgets nodes no longer listed. */
    public void send(Map<String, InetSocketAddress> targets, long now) {
        nodes.keySet().retainAll(targets.keySet());
        outstanding.values().removeIf(s -> now - s.at() > FORGET_NANOS);
        for (Map.Entry<String, InetSocketAddress> e : targets.entrySet()) {
            nodes.computeIfAbsent(e.getKey(), n -> new Seen(now));
            byte[] id = StunMessage.newTransactionId();
            byte[] request = StunMessage.builder(StunMessage.METHOD_BINDING, StunClass.REQUEST, id)
                    .username(MediaHealthCheck.USERNAME).fingerprint().build();
            outstanding.put(HexFormat.of().formatHex(id), new Sent(e.getKey(), now));
            try {
                socket.send(new DatagramPacket(request, request.length, e.getValue()));
            } catch (IOException ex) {
                log.debug("event=media_probe_send_failed sfu_node_id={} error={}", e.getKey(), ex.toString());
            }
        }
    }

    /**
     * Whether {@code nodeId} has been probed for, and not answered within, {@link #SILENCE},
     * while some other probed node answered within it.
     */
    public boolean unreachable(String nodeId, long now) {
        Seen seen = nodes.get(nodeId);
        if (seen == null || now - seen.since() < SILENCE.toNanos()) {
            return false;
        }
        for (Map.Entry<String, Seen> other : nodes.entrySet()) {
            if (!other.getKey().equals(nodeId) && answering(other.getValue(), now)) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code nodeId} answered within {@link #SILENCE}. */
    public boolean answering(String nodeId, long now) {
        Seen seen = nodes.get(nodeId);
        return seen != null && answering(seen, now);
    }

    private static boolean answering(Seen seen, long now) {
        long a = seen.answered;
        return a != 0 && now - a < SILENCE.toNanos();
    }

    private void receive() {
        byte[] buf = new byte[1500];
        while (!socket.isClosed()) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                socket.receive(p);
            } catch (IOException e) {
                return; // closed
            }
            Optional<StunMessage> m = StunMessage.parse(buf, 0, p.getLength());
            if (m.isEmpty() || m.get().messageClass() != StunClass.SUCCESS_RESPONSE) {
                continue;
            }
            Sent sent = outstanding.remove(HexFormat.of().formatHex(m.get().transactionId()));
            if (sent != null) {
                Seen seen = nodes.get(sent.nodeId());
                if (seen != null) {
                    seen.answered = System.nanoTime();
                }
            }
        }
    }

    @Override
    public void close() {
        socket.close();
        receiver.interrupt();
    }
}
