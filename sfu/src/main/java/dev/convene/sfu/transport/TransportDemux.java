package dev.convene.sfu.transport;

import dev.convene.media.core.PacketClassifier;
import dev.convene.media.core.PacketKind;
import dev.convene.media.transport.stun.StunMessage;
import dev.convene.sfu.net.MediaCounters;
import dev.convene.sfu.net.MediaEndpoint;
import dev.convene.sfu.net.MediaSocket;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Sends each datagram of the media port to its transport: by the sender's address once ICE
 * has validated it, by the STUN USERNAME before that. Anything else is counted and dropped.
 * Confined to the media event loop.
 */
public final class TransportDemux implements MediaSocket.DatagramSink {

    private final MediaCounters counters;
    private final Map<String, WebRtcTransport> byLocalUfrag = new HashMap<>();
    private final Map<InetSocketAddress, WebRtcTransport> byAddress = new HashMap<>();

    public TransportDemux(MediaCounters counters) {
        this.counters = counters;
    }

    void register(WebRtcTransport transport) {
        byLocalUfrag.put(transport.localParams().iceUfrag(), transport);
    }

    void bindAddress(InetSocketAddress address, WebRtcTransport transport) {
        byAddress.put(address, transport);
    }

    void unregister(WebRtcTransport transport) {
        byLocalUfrag.remove(transport.localParams().iceUfrag(), transport);
        byAddress.values().removeIf(t -> t == transport);
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
                counters.stunIn.increment();
                Optional<StunMessage> message = StunMessage.parse(buf, 0, len);
                if (message.isEmpty()) {
                    counters.droppedStun.increment();
                    return;
                }
                WebRtcTransport target = transport != null ? transport : byUsername(message.get());
                if (target == null) {
                    counters.droppedStun.increment();
                    return;
                }
                target.onStun(message.get(), from, via);
            }
            case DTLS -> {
                counters.dtlsIn.increment();
                if (transport == null) {
                    counters.droppedUnknown.increment();
                } else {
                    transport.onDtls(buf, len);
                }
            }
            case RTP -> {
                counters.rtpIn.increment();
                if (transport == null) {
                    counters.droppedUnknown.increment();
                } else {
                    transport.onSrtp(buf, len, from);
                }
            }
            case RTCP -> {
                counters.rtcpIn.increment();
                if (transport == null) {
                    counters.droppedUnknown.increment();
                } else {
                    transport.onSrtcp(buf, len, from);
                }
            }
            case UNKNOWN -> counters.droppedUnknown.increment();
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
