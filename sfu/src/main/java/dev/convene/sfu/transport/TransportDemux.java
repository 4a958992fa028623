package dev.convene.sfu.transport;

import dev.convene.media.core.PacketClassifier;
import dev.convene.media.core.PacketKind;
import dev.convene.media.transport.stun.StunMessage;
import dev.convene.sfu.net.LoopAllocation;
import dev.convene.sfu.net.MediaCounters;
import dev.convene.sfu.net.MediaEndpoint;
import dev.convene.sfu.net.MediaPath;
import dev.convene.sfu.net.MediaSocket;
import dev.convene.sfu.net.TcpFrameSink;
import dev.convene.sfu.net.TcpMediaConnection;
import dev.convene.sfu.net.UdpPath;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Sends each datagram of the media port, and each frame of an ICE-TCP connection, to its
 * transport: by the sender's address (or the connection) once ICE has validated it, by the
 * STUN USERNAME before that. Anything else is counted and dropped. Confined to the media event
 * loop.
 */
public final class TransportDemux implements MediaSocket.DatagramSink, TcpFrameSink {

    private final MediaCounters counters;
    private final Map<String, WebRtcTransport> byLocalUfrag = new HashMap<>();
    private final Map<InetSocketAddress, WebRtcTransport> byAddress = new HashMap<>();
    private final Map<TcpMediaConnection, WebRtcTransport> byConnection = new HashMap<>();
    /**
     * RTP packets sent by this node's transports, counted on the loop in a plain field: summing
     * the {@link MediaCounters#rtpOut} adder's cells twice per received packet to learn whether it
     * was forwarded cost more than the counting.
     */
    long rtpSent;
    /** Written on the loop, read by tests from another thread. */
    private volatile long stunAllocatedBytes;

    public TransportDemux(MediaCounters counters) {
        this.counters = counters;
    }

    void register(WebRtcTransport transport) {
        byLocalUfrag.put(transport.localParams().iceUfrag(), transport);
    }

    /** A check on {@code path} succeeded: what arrives there from now on is {@code transport}'s. */
    void bindPath(MediaPath path, WebRtcTransport transport) {
        switch (path) {
            case UdpPath udp -> byAddress.put(udp.remoteAddress(), transport);
            case TcpMediaConnection tcp -> {
                byConnection.put(tcp, transport);
                tcp.markBound();
            }
            default -> throw new IllegalArgumentException("unknown path " + path);
        }
    }

    /** Forgets the transport; its ICE-TCP connections are closed, as no one else may use them. */
    void unregister(WebRtcTransport transport) {
        byLocalUfrag.remove(transport.localParams().iceUfrag(), transport);
        byAddress.values().removeIf(t -> t == transport);
        for (TcpMediaConnection connection : byConnection.keySet().toArray(TcpMediaConnection[]::new)) {
            if (byConnection.get(connection) == transport) {
                byConnection.remove(connection);
                connection.close("transport_closed");
            }
        }
    }

    @Override
    public void onDatagram(byte[] buf, int len, InetSocketAddress from, MediaEndpoint via) {
        counters.datagramsIn.increment();
        counters.bytesIn.add(len);
        if (len > MediaSocket.MAX_DATAGRAM) {
            counters.droppedUnknown.increment();
            return;
        }
        PacketKind kind = PacketClassifier.classify(buf, 0, len);
        WebRtcTransport transport = byAddress.get(from);
        switch (kind) {
            case STUN -> {
                long allocatedBefore = LoopAllocation.current();
                try {
                    onStun(buf, len, from, via, transport);
                } finally {
                    stunAllocatedBytes += LoopAllocation.current() - allocatedBefore;
                }
            }
            default -> deliver(kind, transport, buf, len, from);
        }
    }

    private void onStun(byte[] buf, int len, InetSocketAddress from, MediaEndpoint via, WebRtcTransport transport) {
        counters.stunIn.increment();
        if (transport != null && transport.answerConsentCheck(buf, len, from, via)) {
            return;
        }
        Optional<StunMessage> message = StunMessage.parse(buf, 0, len);
        if (message.isEmpty()) {
            counters.droppedStun.increment();
            return;
        }
        WebRtcTransport target = transport != null ? transport : byUsername(message.get());
        if (target == null) {
            if (!MediaHealthCheck.answer(message.get(), from, via)) {
                counters.droppedStun.increment();
            }
            return;
        }
        target.onStun(message.get(), from, via);
    }

    /** Bytes the loop allocated handling STUN on the UDP port (see {@code LocalSfuNode#stunAllocatedBytes}). */
    public long stunAllocatedBytes() {
        return stunAllocatedBytes;
    }

    @Override
    public void onTcpFrame(TcpMediaConnection connection, byte[] buf, int len) {
        counters.bytesIn.add(len);
        PacketKind kind = PacketClassifier.classify(buf, 0, len);
        WebRtcTransport transport = byConnection.get(connection);
        if (kind == PacketKind.STUN) {
            counters.stunIn.increment();
            Optional<StunMessage> message = StunMessage.parse(buf, 0, len);
            WebRtcTransport target = message.isEmpty() ? null : transport != null ? transport : byUsername(message.get());
            if (target == null) {
                counters.droppedStun.increment();
                connection.rejectedFrame();
                return;
            }
            target.onStun(message.get(), connection);
            return;
        }
        if (transport == null) {
            connection.rejectedFrame();
        }
        deliver(kind, transport, buf, len, connection.remoteAddress());
    }

    @Override
    public void onTcpClosed(TcpMediaConnection connection) {
        WebRtcTransport transport = byConnection.remove(connection);
        if (transport != null) {
            transport.onPathClosed(connection);
        }
    }

    /** DTLS, SRTP and SRTCP to their transport, or counted as dropped when no transport owns the sender. */
    private void deliver(PacketKind kind, WebRtcTransport transport, byte[] buf, int len, InetSocketAddress from) {
        switch (kind) {
            case DTLS -> counters.dtlsIn.increment();
            case RTP -> counters.rtpIn.increment();
            case RTCP -> counters.rtcpIn.increment();
            default -> { }
        }
        if (transport == null || kind == PacketKind.STUN || kind == PacketKind.UNKNOWN) {
            counters.droppedUnknown.increment();
            return;
        }
        switch (kind) {
            case DTLS -> transport.onDtls(buf, len);
            case RTP -> {
                // Forwarding is synchronous on this thread: the time to return is the time to the last copy's send.
                long received = System.nanoTime();
                if (transport.onSrtp(buf, len, from) > 0) {
                    counters.forwardDelay.record(System.nanoTime() - received);
                }
            }
            case RTCP -> transport.onSrtcp(buf, len, from);
            default -> throw new AssertionError(kind);
        }
    }

    private WebRtcTransport byUsername(StunMessage message) {
        return message.username()
                .map(u -> {
                    int colon = u.indexOf(':');
                    return byLocalUfrag.get(colon < 0 ? u : u.substring(0, colon));
                })
                .orElse(null);
    }
}
