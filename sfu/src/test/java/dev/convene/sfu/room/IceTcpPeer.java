package dev.convene.sfu.room;

import dev.convene.media.core.PacketClassifier;
import dev.convene.media.core.rtp.RtpPacket;
import dev.convene.media.transport.dtls.DtlsCertificate;
import dev.convene.media.transport.dtls.DtlsEndpoint;
import dev.convene.media.transport.dtls.DtlsFingerprint;
import dev.convene.media.transport.dtls.DtlsRole;
import dev.convene.media.transport.dtls.DtlsSrtpResult;
import dev.convene.media.transport.ice.ClientCheckResult;
import dev.convene.media.transport.ice.IceControllingAgent;
import dev.convene.media.transport.ice.IceCredentials;
import dev.convene.media.transport.srtp.SrtpContext;
import dev.convene.media.transport.srtp.SrtpKeys;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A test's ICE-TCP client of the SFU, as Chromium's active TCP candidate would be: one TCP
 * connection, RFC 4571 frames both ways, ICE checks as the controlling agent, a DTLS client
 * handshake over the same connection, then SRTP. Counts what it receives per SSRC.
 */
final class IceTcpPeer implements AutoCloseable {

    private static final int TRAILER = 64;

    final IceCredentials localIce = IceCredentials.random();
    final DtlsCertificate certificate = DtlsCertificate.generate();
    final Map<Long, AtomicLong> rtpBySsrc = new ConcurrentHashMap<>();
    final AtomicLong srtcpIn = new AtomicLong();
    final AtomicLong unprotectFailures = new AtomicLong();

    private final Socket socket;
    private final OutputStream out;
    private final BlockingQueue<byte[]> stun = new LinkedBlockingQueue<>();
    private final Thread reader;
    private volatile DtlsEndpoint dtls;
    private volatile SrtpContext receive;
    private SrtpContext send;
    private volatile boolean peerClosed;

    IceTcpPeer(InetSocketAddress sfu) throws IOException {
        socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(sfu, 2000);
        out = socket.getOutputStream();
        reader = Thread.ofPlatform().daemon().name("ice-tcp-peer").start(this::readLoop);
    }

    InetSocketAddress localAddress() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    /** Writes raw bytes, framed or not: the test decides. */
    synchronized void writeRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    synchronized void sendFrame(byte[] buf, int off, int len) {
        try {
            out.write(len >>> 8);
            out.write(len & 0xFF);
            out.write(buf, off, len);
            out.flush();
        } catch (IOException e) {
            // The SFU closed the connection: what the test asserts on, through isClosedByPeer.
        }
    }

    /** Sends a Binding request and waits for the answer to it. */
    ClientCheckResult check(IceControllingAgent agent, boolean nominate, Duration timeout) throws InterruptedException {
        byte[] request = agent.bindingRequest(IceControllingAgent.candidatePriority(90, 65535, 1), nominate);
        sendFrame(request, 0, request.length);
        return awaitStunResponse(agent, timeout);
    }

    ClientCheckResult awaitStunResponse(IceControllingAgent agent, Duration timeout) throws InterruptedException {
        byte[] response = stun.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (response == null) {
            throw new AssertionError("no STUN response within " + timeout);
        }
        return agent.handleResponse(response, 0, response.length);
    }

    /** Runs the DTLS client handshake over the connection and keys SRTP. */
    DtlsSrtpResult handshake(DtlsFingerprint sfuFingerprint, Duration timeout) throws Exception {
        DtlsEndpoint endpoint = new DtlsEndpoint(DtlsRole.CLIENT, certificate, this::sendFrame);
        endpoint.setRemoteFingerprint(sfuFingerprint);
        dtls = endpoint;
        DtlsSrtpResult result = endpoint.start().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        SrtpKeys keys = SrtpKeys.fromKeyingMaterial(result.profile(), result.keyingMaterial(), false);
        synchronized (this) {
            send = keys.newSendContext();
        }
        receive = keys.newReceiveContext();
        return result;
    }

    /** Protects and sends an RTP packet built from the arguments. */
    synchronized void sendRtp(int payloadType, int sequence, long timestamp, long ssrc, byte[] payload) {
        byte[] packet = new byte[12 + payload.length + TRAILER];
        packet[0] = (byte) 0x80;
        packet[1] = (byte) payloadType;
        packet[2] = (byte) (sequence >>> 8);
        packet[3] = (byte) sequence;
        for (int i = 0; i < 4; i++) {
            packet[4 + i] = (byte) (timestamp >>> (24 - 8 * i));
            packet[8 + i] = (byte) (ssrc >>> (24 - 8 * i));
        }
        System.arraycopy(payload, 0, packet, 12, payload.length);
        int len = send.protectRtp(packet, 0, 12 + payload.length);
        if (len < 0) {
            throw new AssertionError("SRTP refused the packet: " + len);
        }
        sendFrame(packet, 0, len);
    }

    long rtpReceived(long ssrc) {
        AtomicLong n = rtpBySsrc.get(ssrc);
        return n == null ? 0 : n.get();
    }

    boolean isClosedByPeer() {
        return peerClosed;
    }

    private void readLoop() {
        RtpPacket rtp = new RtpPacket();
        try (DataInputStream in = new DataInputStream(socket.getInputStream())) {
            while (true) {
                int len = in.readUnsignedShort();
                byte[] frame = new byte[len + TRAILER];
                in.readFully(frame, 0, len);
                switch (PacketClassifier.classify(frame, 0, len)) {
                    case STUN -> stun.add(java.util.Arrays.copyOf(frame, len));
                    case DTLS -> {
                        DtlsEndpoint d = dtls;
                        if (d != null) {
                            d.receive(frame, 0, len);
                        }
                    }
                    case RTP -> {
                        SrtpContext r = receive;
                        int plain = r == null ? -1 : r.unprotectRtp(frame, 0, len);
                        if (plain < 0 || !rtp.wrap(frame, 0, plain)) {
                            unprotectFailures.incrementAndGet();
                        } else {
                            rtpBySsrc.computeIfAbsent(rtp.ssrc(), s -> new AtomicLong()).incrementAndGet();
                        }
                    }
                    case RTCP -> {
                        SrtpContext r = receive;
                        if (r != null && r.unprotectRtcp(frame, 0, len) >= 0) {
                            srtcpIn.incrementAndGet();
                        } else {
                            unprotectFailures.incrementAndGet();
                        }
                    }
                    case UNKNOWN -> unprotectFailures.incrementAndGet();
                }
            }
        } catch (EOFException e) {
            peerClosed = true;
        } catch (IOException e) {
            peerClosed = true;
        }
    }

    @Override
    public void close() throws IOException {
        DtlsEndpoint d = dtls;
        if (d != null) {
            d.close();
        }
        socket.close();
        try {
            reader.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
