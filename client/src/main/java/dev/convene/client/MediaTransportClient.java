package dev.convene.client;

import dev.convene.media.core.PacketClassifier;
import dev.convene.media.core.PacketKind;
import dev.convene.media.core.codec.Vp8PayloadDescriptor;
import dev.convene.media.core.rtcp.RtcpApp;
import dev.convene.media.core.rtcp.RtcpCompoundIterator;
import dev.convene.media.core.rtcp.RtcpFir;
import dev.convene.media.core.rtcp.RtcpNack;
import dev.convene.media.core.rtcp.RtcpPacket;
import dev.convene.media.core.rtcp.RtcpPli;
import dev.convene.media.core.rtcp.RtcpReceiverReport;
import dev.convene.media.core.rtcp.RtcpReportBlock;
import dev.convene.media.core.rtcp.RtcpSenderReport;
import dev.convene.media.core.rtcp.RtcpTransportFeedback;
import dev.convene.media.routing.rtcp.ReceiveStatistics;
import dev.convene.media.core.rtp.RtpPacket;
import dev.convene.media.core.rtp.RtxPacket;
import dev.convene.media.transport.dtls.DtlsCertificate;
import dev.convene.media.transport.dtls.DtlsConfig;
import dev.convene.media.transport.dtls.DtlsEndpoint;
import dev.convene.media.transport.dtls.DtlsFingerprint;
import dev.convene.media.transport.dtls.DtlsRole;
import dev.convene.media.transport.dtls.DtlsSrtpResult;
import dev.convene.media.transport.ice.ClientCheckResult;
import dev.convene.media.transport.ice.IceControllingAgent;
import dev.convene.media.transport.ice.IceCredentials;
import dev.convene.media.transport.srtp.SrtpContext;
import dev.convene.media.transport.srtp.SrtpError;
import dev.convene.media.transport.srtp.SrtpKeys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One peer connection's transport, the client's side of the SFU's bundled WebRTC transport:
 * a UDP socket on loopback, ICE checks (controlling, aggressive nomination) to the SFU's
 * ICE-lite host candidate, a DTLS handshake (as client, or as server when our SDP said
 * {@code a=setup:passive}), and SRTP both ways.
 *
 * <p>A reader thread receives every datagram from the SFU, tells STUN, DTLS, SRTP and SRTCP
 * apart, unprotects media (holding the few SRTP packets that beat our end of the handshake
 * until the keys are in), counts it per SSRC ({@link #receivedStreams()}) and answers nothing
 * itself: keyframe requests (PLI, FIR) go to the handler given to {@link #onKeyframeRequest}.
 * When capture is on ({@link #captureDatagrams(int)}), every raw datagram from the SFU is kept,
 * so a test can check what was on the wire. After connecting, a consent check goes to the SFU
 * every {@link #CONSENT_INTERVAL} (RFC 7675), and a receiver report every
 * {@link #RECEIVER_REPORT_INTERVAL} about every stream received, with LSR/DLSR of its last
 * sender report so the SFU can measure the round trip. Sender reports that arrive are kept
 * ({@link #senderReports()}), and with {@link #recordArrivals(int)} so are the arrival times of
 * RTP packets, for checking lip sync from outside.
 *
 * <p>Loss recovery, as a browser does it: as a publisher, streams given to
 * {@link #enableRetransmission} keep a small cache and NACKs for them are answered with RTX
 * (RFC 4588); as a subscriber, streams of the payload types given to {@link #enableLossRecovery}
 * are NACKed for gaps every {@link #NACK_INTERVAL} and RTX received for them is restored
 * before it is counted. Thread-safe.
 */
public final class MediaTransportClient implements AutoCloseable {

    /** The SFU's side of the transport, from its SDP. */
    public record Remote(InetSocketAddress address, IceCredentials ice, DtlsFingerprint fingerprint) {
        public Remote {
            Objects.requireNonNull(address, "address");
            Objects.requireNonNull(ice, "ice");
            Objects.requireNonNull(fingerprint, "fingerprint");
        }
    }

    public static final Duration CONSENT_INTERVAL = Duration.ofSeconds(2);
    private volatile boolean receiverReports = true;
    public static final Duration RECEIVER_REPORT_INTERVAL = Duration.ofSeconds(1);
    private static final int MAX_SENDER_REPORTS_KEPT = 10_000;
    public static final Duration NACK_INTERVAL = Duration.ofMillis(20);
    /** Bytes after a packet that SRTP(C) protection may add, with room to spare. */
    private static final int TRAILER_ROOM = 64;
    private static final int MAX_DATAGRAM = 2048;
    /** PRIORITY of our checks: a peer-reflexive candidate's (RFC 8445 §7.1.1). */
    private static final long CHECK_PRIORITY = IceControllingAgent.candidatePriority(110, 65535, 1);
    /**
     * SRTP(C) kept while the handshake finishes: the DTLS server has its keys one flight before
     * the client and may send media (and the SFU does, a PLI at once) before we have ours.
     */
    private static final int EARLY_MEDIA_LIMIT = 32;

    private static final Logger log = LoggerFactory.getLogger(MediaTransportClient.class);
    private static final ScheduledExecutorService CONSENT = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "convene-client-consent");
        t.setDaemon(true);
        return t;
    });

    private final String name;
    private final DatagramChannel channel;
    /** Reads the socket when set (shared by many clients); otherwise the transport's own thread does. */
    private final ReceiveLoop receiveLoop;
    private final IceCredentials localIce = IceCredentials.random();
    private final DtlsCertificate certificate;
    private final long rtcpSenderSsrc = ThreadLocalRandom.current().nextLong(1, 0xFFFF_FFFFL);
    private final AtomicBoolean connecting = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CompletableFuture<Void> connected = new CompletableFuture<>();
    private final CompletableFuture<InetSocketAddress> iceSucceeded = new CompletableFuture<>();

    private final Object iceLock = new Object();
    private IceControllingAgent ice;
    private volatile DtlsEndpoint dtls;
    private volatile SrtpKeys keys;
    /** Used only by the reader thread. */
    private volatile SrtpContext receiveContext;
    private final Object sendLock = new Object();
    private SrtpContext sendContext;
    private final byte[] sendBuffer = new byte[MAX_DATAGRAM + TRAILER_ROOM];
    private Thread reader;
    private ScheduledFuture<?> consentTask;
    private ScheduledFuture<?> reportTask;

    private final Map<Long, ReceiveStatistics> receiveStatistics = new ConcurrentHashMap<>();
    private final List<ReceivedSenderReport> senderReports = Collections.synchronizedList(new ArrayList<>());
    private final List<RtpArrival> arrivals = Collections.synchronizedList(new ArrayList<>());
    private volatile int arrivalLimit;
    private final LongAdder receiverReportsIn = new LongAdder();

    private final Map<Long, StreamCounter> streams = new ConcurrentHashMap<>();
    private volatile Set<Integer> vp8PayloadTypes = Set.of();
    private volatile LongConsumer keyframeRequestHandler = ssrc -> { };
    private volatile RtpObserver rtpObserver;
    private volatile int captureLimit;
    private final List<byte[]> captured = Collections.synchronizedList(new ArrayList<>());

    private final LongAdder datagramsIn = new LongAdder();
    private final LongAdder stunIn = new LongAdder();
    private final LongAdder dtlsIn = new LongAdder();
    private final LongAdder srtpIn = new LongAdder();
    private final LongAdder srtcpIn = new LongAdder();
    private final LongAdder unprotectFailures = new LongAdder();
    private final LongAdder unknownIn = new LongAdder();
    private final LongAdder earlyMediaDropped = new LongAdder();
    private final LongAdder rtpOut = new LongAdder();
    private final LongAdder rtcpOut = new LongAdder();
    private final LongAdder keyframeRequests = new LongAdder();
    private final LongAdder rembs = new LongAdder();
    private final LongAdder srtpBytesIn = new LongAdder();
    private final LongAdder paddingBytesIn = new LongAdder();
    /** The transport-wide sequence number's extension id as a subscriber, 0 while not negotiated. */
    private volatile int transportCcExtensionId;
    private final TransportFeedbackSender transportFeedback = new TransportFeedbackSender(rtcpSenderSsrc);
    private final byte[] feedbackBuffer = new byte[RtcpTransportFeedback.maxLength(TransportFeedbackSender.MAX_PER_FEEDBACK)
            + TRAILER_ROOM];
    private ScheduledFuture<?> transportFeedbackTask;
    private volatile long downlinkEstimate = -1;

    private final Map<Long, SendRecovery> sendRecoveries = new ConcurrentHashMap<>();
    private final Map<Long, ReceiveRecovery> receiveRecoveries = new ConcurrentHashMap<>();
    private volatile Set<Integer> nackPayloadTypes = Set.of();
    private volatile Map<Integer, Integer> rtxPayloadTypes = Map.of();
    private volatile Map<Long, Long> rtxSsrcs = Map.of();
    /** Under {@link #sendLock}. */
    private final RtpPacket sentView = new RtpPacket();
    private final byte[] rtxBuffer = new byte[MAX_DATAGRAM + TRAILER_ROOM];
    private final int[] nackScratch = new int[128];
    private ScheduledFuture<?> nackTask;
    private final LongAdder nacksSent = new LongAdder();
    private final LongAdder rtxReceived = new LongAdder();
    private final LongAdder nacksReceived = new LongAdder();
    private final LongAdder nackedReceived = new LongAdder();
    private final LongAdder rtxSent = new LongAdder();
    private final LongAdder rtxNotSent = new LongAdder();

    private MediaTransportClient(String name, DatagramChannel channel, DtlsCertificate certificate,
            ReceiveLoop receiveLoop) {
        this.name = name;
        this.channel = channel;
        this.certificate = certificate;
        this.receiveLoop = receiveLoop;
    }

    /** Binds a UDP socket on an ephemeral port of {@code bindAddress} (127.0.0.1 in tests). */
    public static MediaTransportClient open(String name, InetAddress bindAddress) {
        return open(name, bindAddress, DtlsCertificate.generate());
    }

    /** As {@link #open(String, InetAddress)}, with a DTLS certificate that other transports may share. */
    public static MediaTransportClient open(String name, InetAddress bindAddress, DtlsCertificate certificate) {
        return open(name, bindAddress, certificate, null);
    }

    /**
     * As {@link #open(String, InetAddress, DtlsCertificate)}, its socket read by {@code receiveLoop}
     * once connecting (null: by a thread of its own).
     */
    static MediaTransportClient open(String name, InetAddress bindAddress, DtlsCertificate certificate,
            ReceiveLoop receiveLoop) {
        try {
            DatagramChannel channel = DatagramChannel.open();
            channel.bind(new InetSocketAddress(bindAddress, 0));
            channel.setOption(StandardSocketOptions.SO_RCVBUF, 1 << 20);
            return new MediaTransportClient(name, channel, Objects.requireNonNull(certificate, "certificate"), receiveLoop);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot bind a UDP socket on " + bindAddress, e);
        }
    }

    public String name() {
        return name;
    }

    /** Our host candidate's address. */
    public InetSocketAddress localAddress() {
        try {
            return (InetSocketAddress) channel.getLocalAddress();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Our ICE username fragment and password, for the local SDP. */
    public IceCredentials localIce() {
        return localIce;
    }

    /** Our certificate's fingerprint, for the local SDP's {@code a=fingerprint}. */
    public DtlsFingerprint localFingerprint() {
        return certificate.fingerprint();
    }

    /** VP8 payload types on this transport, so keyframes are counted per stream. */
    public void setVp8PayloadTypes(Set<Integer> payloadTypes) {
        this.vp8PayloadTypes = Set.copyOf(payloadTypes);
    }

    /** Called on the reader thread with the media SSRC of every PLI and FIR entry received. */
    public void onKeyframeRequest(LongConsumer handler) {
        this.keyframeRequestHandler = Objects.requireNonNull(handler, "handler");
    }

    /**
     * As a publisher: keeps what is sent on {@code mediaSsrc} for a second and answers NACKs for
     * it with RTX on {@code rtxSsrc} / {@code rtxPayloadType}, as negotiated.
     */
    public void enableRetransmission(long mediaSsrc, long rtxSsrc, int rtxPayloadType) {
        synchronized (sendLock) {
            sendRecoveries.put(mediaSsrc, new SendRecovery(rtxSsrc, rtxPayloadType,
                    ThreadLocalRandom.current().nextInt(0x10000)));
        }
    }

    /**
     * As a subscriber: NACKs gaps in streams of {@code nackPayloadTypes} and restores RTX.
     *
     * @param rtxPayloadTypes RTX payload type → the media payload type it carries ({@code apt})
     * @param rtxSsrcs        RTX SSRC → the media SSRC it repairs ({@code a=ssrc-group:FID})
     */
    public void enableLossRecovery(Set<Integer> nackPayloadTypes, Map<Integer, Integer> rtxPayloadTypes,
            Map<Long, Long> rtxSsrcs) {
        this.nackPayloadTypes = Set.copyOf(nackPayloadTypes);
        this.rtxPayloadTypes = Map.copyOf(rtxPayloadTypes);
        this.rtxSsrcs = Map.copyOf(rtxSsrcs);
    }

    /**
     * As a subscriber: sends transport-cc feedback for packets carrying the transport-wide
     * sequence number under {@code extensionId} (as the answer kept it), every
     * {@link #TRANSPORT_FEEDBACK_INTERVAL}, so the SFU estimates this downlink. 0 turns it off.
     */
    public void enableTransportFeedback(int extensionId) {
        this.transportCcExtensionId = extensionId;
    }

    public static final Duration TRANSPORT_FEEDBACK_INTERVAL = Duration.ofMillis(50);

    /** The SFU's estimate of this transport's downlink (RTCP APP "CVBW", once a second), or -1 before the first. */
    public long downlinkEstimateBps() {
        return downlinkEstimate;
    }

    /** Bytes of SRTP received (media, retransmissions and probe padding), for bitrates. */
    public long srtpBytesIn() {
        return srtpBytesIn.sum();
    }

    /**
     * Bytes of SRTP received that carried no media: the SFU's padding-only probe packets (RTX
     * payload type, no payload), which ADR 0021 sends above the estimate by design.
     */
    public long paddingBytesIn() {
        return paddingBytesIn.sum();
    }

    /** Transport-cc feedback packets sent. */
    public long transportFeedbackSent() {
        return transportFeedback.feedbackSent();
    }

    public LossRecoveryStats lossRecoveryStats() {
        int maxRtx;
        synchronized (sendLock) {
            maxRtx = sendRecoveries.values().stream().mapToInt(SendRecovery::maxRtxOfOnePacket).max().orElse(0);
        }
        return new LossRecoveryStats(nacksSent.sum(), rtxReceived.sum(), nacksReceived.sum(), nackedReceived.sum(),
                rtxSent.sum(), rtxNotSent.sum(), maxRtx);
    }

    /**
     * How complete the received stream {@code ssrc} is (one with loss recovery), leaving out its
     * newest {@code ignoreNewest} sequence numbers, which may still be on their way.
     */
    public StreamCompleteness completeness(long ssrc, int ignoreNewest) {
        ReceiveRecovery r = receiveRecoveries.get(ssrc);
        return r == null ? new StreamCompleteness(0, 0, 0, 0, 0, 0) : r.completeness(ignoreNewest);
    }

    /** Keeps a copy of up to {@code limit} raw datagrams received from the SFU from now on. */
    public void captureDatagrams(int limit) {
        this.captureLimit = limit;
    }

    /**
     * Sends no RTCP receiver reports and no transport-cc feedback once connected (a receiver that
     * sends nothing at all); call before {@link #connect}.
     */
    public void disableReceiverReports() {
        this.receiverReports = false;
    }

    /** Sees each RTP packet from the SFU once authenticated (load tests read {@link SendStamp}s). */
    @FunctionalInterface
    public interface RtpObserver {
        /** On the reader thread, for original transmissions only; must not keep {@code buf}. */
        void onRtp(long ssrc, int sequenceNumber, byte[] buf, int payloadOffset, int payloadLength, long arrivalNanos);
    }

    /** Calls {@code observer} for every RTP packet received from now on (null: none). */
    public void observeRtp(RtpObserver observer) {
        this.rtpObserver = observer;
    }

    /** Keeps the arrival of up to {@code limit} RTP packets from the SFU from now on. */
    public void recordArrivals(int limit) {
        this.arrivalLimit = limit;
    }

    /** The RTP arrivals recorded so far, in arrival order. */
    public List<RtpArrival> rtpArrivals() {
        synchronized (arrivals) {
            return List.copyOf(arrivals);
        }
    }

    /** The sender reports received so far (up to 10,000), in arrival order. */
    public List<ReceivedSenderReport> senderReports() {
        synchronized (senderReports) {
            return List.copyOf(senderReports);
        }
    }

    /** Receiver reports received (from the SFU, about what we send). */
    public long receiverReportsReceived() {
        return receiverReportsIn.sum();
    }

    /** The raw datagrams captured so far, in arrival order (copies). */
    public List<byte[]> capturedDatagrams() {
        synchronized (captured) {
            return captured.stream().map(byte[]::clone).toList();
        }
    }

    /**
     * Connects to the SFU: ICE checks until one succeeds, then the DTLS handshake, then SRTP
     * keys. Blocks for at most {@code timeout}; call once.
     *
     * @throws MediaConnectException if ICE or DTLS does not finish in time or fails
     */
    public void connect(Remote remote, Duration timeout) {
        connect(remote, timeout, DtlsRole.CLIENT, true);
    }

    /**
     * As {@link #connect(Remote, Duration)}, playing {@code role} in DTLS ({@link DtlsRole#SERVER}
     * when our SDP said {@code a=setup:passive}), and sending consent checks after connecting
     * only if {@code consentChecks} (off: behave as Pion, which sends none while media flows).
     */
    public void connect(Remote remote, Duration timeout, DtlsRole role, boolean consentChecks) {
        if (!connecting.compareAndSet(false, true)) {
            throw new IllegalStateException(name + ": connect was called already");
        }
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        try {
            synchronized (iceLock) {
                ice = new IceControllingAgent(localIce, remote.ice());
            }
            channel.connect(remote.address());
            // Ready before the first check: as DTLS server, the SFU's ClientHello follows its first answered check.
            DtlsEndpoint endpoint = new DtlsEndpoint(role, certificate, this::sendRaw,
                    DtlsConfig.defaults(role).withHandshakeTimeout(Duration.ofNanos(
                            Math.max(deadline - System.nanoTime(), 1_000_000))));
            endpoint.setRemoteFingerprint(remote.fingerprint());
            dtls = endpoint;
            if (receiveLoop != null) {
                receiveLoop.register(channel, new SocketReader());
            } else {
                reader = Thread.ofPlatform().daemon().name("convene-client-rx-" + name).start(this::readLoop);
            }
            InetSocketAddress mapped = runIceChecks(deadline);
            long iceDone = System.nanoTime();
            if (closed.get()) {
                endpoint.close();
                throw new MediaConnectException(name + ": closed while connecting");
            }
            DtlsSrtpResult result = endpoint.start().get(Math.max(deadline - System.nanoTime(), 1), TimeUnit.NANOSECONDS);
            SrtpKeys srtp = SrtpKeys.fromKeyingMaterial(result.profile(), result.keyingMaterial(), role == DtlsRole.SERVER);
            keys = srtp;
            synchronized (sendLock) {
                sendContext = srtp.newSendContext();
            }
            receiveContext = srtp.newReceiveContext();
            if (consentChecks) {
                long period = CONSENT_INTERVAL.toMillis();
                consentTask = CONSENT.scheduleAtFixedRate(this::sendConsentCheck, period, period, TimeUnit.MILLISECONDS);
            }
            if (receiverReports) {
                long reportPeriod = RECEIVER_REPORT_INTERVAL.toMillis();
                reportTask = CONSENT.scheduleAtFixedRate(this::sendReceiverReport, reportPeriod, reportPeriod,
                        TimeUnit.MILLISECONDS);
            }
            long nackPeriod = NACK_INTERVAL.toMillis();
            nackTask = CONSENT.scheduleAtFixedRate(this::sendDueNacks, nackPeriod, nackPeriod, TimeUnit.MILLISECONDS);
            long feedbackPeriod = TRANSPORT_FEEDBACK_INTERVAL.toMillis();
            transportFeedbackTask = CONSENT.scheduleAtFixedRate(this::sendTransportFeedback, feedbackPeriod,
                    feedbackPeriod, TimeUnit.MILLISECONDS);
            connected.complete(null);
            log.info("event=client_transport_connected transport={} local={} remote={} mapped={} dtls_role={} srtp={} "
                    + "consent_checks={} millis={} ice_millis={}", name, localAddress(), remote.address(), mapped, role,
                    result.profile(), consentChecks, (System.nanoTime() - start) / 1_000_000, (iceDone - start) / 1_000_000);
        } catch (IOException e) {
            fail(new MediaConnectException(name + ": socket failed: " + e, e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail(new MediaConnectException(name + ": interrupted while connecting", e));
        } catch (ExecutionException e) {
            fail(new MediaConnectException(name + ": DTLS handshake failed: " + e.getCause().getMessage(), e.getCause()));
        } catch (TimeoutException e) {
            fail(new MediaConnectException(name + ": no DTLS handshake within " + timeout.toMillis() + " ms", e));
        } catch (MediaConnectException e) {
            fail(e);
        }
    }

    private void fail(MediaConnectException e) {
        connected.completeExceptionally(e);
        throw e;
    }

    private InetSocketAddress runIceChecks(long deadline) throws IOException, InterruptedException {
        long waitMillis = 50;
        while (System.nanoTime() < deadline && !closed.get()) {
            byte[] request;
            synchronized (iceLock) {
                request = ice.bindingRequest(CHECK_PRIORITY, true);
            }
            sendRaw(request, 0, request.length);
            try {
                return iceSucceeded.get(Math.min(waitMillis, Math.max(1, (deadline - System.nanoTime()) / 1_000_000)),
                        TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                waitMillis = Math.min(waitMillis * 2, 500);
            } catch (ExecutionException e) {
                throw new MediaConnectException(name + ": ICE check failed: " + e.getCause().getMessage(), e.getCause());
            }
        }
        throw new MediaConnectException(name + ": no ICE check succeeded in time");
    }

    /** Completes when SRTP keys are in place, or exceptionally when {@link #connect} failed. */
    public CompletableFuture<Void> connected() {
        return connected.copy();
    }

    public boolean isConnected() {
        return connected.isDone() && !connected.isCompletedExceptionally() && !closed.get();
    }

    /**
     * Protects and sends an RTP packet. Returns false when not connected yet, closed, or SRTP
     * refused the packet (a repeated sequence number, for one).
     */
    public boolean sendRtp(byte[] rtp, int off, int len) {
        return protectAndSend(rtp, off, len, false);
    }

    /** Protects and sends a (compound) RTCP packet; false as for {@link #sendRtp}. */
    public boolean sendRtcp(byte[] rtcp, int off, int len) {
        return protectAndSend(rtcp, off, len, true);
    }

    /** Asks the SFU for a keyframe of a stream it sends us. */
    public boolean sendPli(long mediaSsrc) {
        byte[] pli = new byte[RtcpPli.LENGTH];
        RtcpPli.write(pli, 0, rtcpSenderSsrc, mediaSsrc);
        return sendRtcp(pli, 0, pli.length);
    }

    /**
     * Sends bytes as they are, unprotected, from this transport's address: for tests of how
     * the SFU treats garbage that arrives on an established 5-tuple. Returns false before
     * {@link #connect} or after {@link #close()}.
     */
    public boolean sendUnprotected(byte[] data, int off, int len) {
        if (!channel.isConnected() || closed.get()) {
            return false;
        }
        try {
            channel.write(ByteBuffer.wrap(data, off, len));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private boolean protectAndSend(byte[] packet, int off, int len, boolean rtcp) {
        if (len > MAX_DATAGRAM) {
            return false;
        }
        synchronized (sendLock) {
            if (sendContext == null || closed.get()) {
                return false;
            }
            System.arraycopy(packet, off, sendBuffer, 0, len);
            if (!rtcp && !sendRecoveries.isEmpty() && sentView.wrap(sendBuffer, 0, len)) {
                SendRecovery recovery = sendRecoveries.get(sentView.ssrc());
                if (recovery != null) {
                    recovery.onSent(sentView, System.nanoTime());
                }
            }
            int n = rtcp ? sendContext.protectRtcp(sendBuffer, 0, len) : sendContext.protectRtp(sendBuffer, 0, len);
            if (n < 0) {
                log.debug("event=client_protect_failed transport={} error={}", name, SrtpError.name(n));
                return false;
            }
            try {
                channel.write(ByteBuffer.wrap(sendBuffer, 0, n));
            } catch (IOException e) {
                return false;
            }
            (rtcp ? rtcpOut : rtpOut).increment();
            return true;
        }
    }

    /** Per-SSRC receive counts, by SSRC. */
    public Map<Long, ReceivedStream> receivedStreams() {
        Map<Long, ReceivedStream> out = new TreeMap<>();
        streams.forEach((ssrc, c) -> out.put(ssrc, c.snapshot(ssrc)));
        return out;
    }

    /** The counts of one SSRC ({@link ReceivedStream#NONE}-like zeros when nothing came). */
    public ReceivedStream receivedStream(long ssrc) {
        StreamCounter c = streams.get(ssrc);
        return c == null ? new ReceivedStream(ssrc, -1, 0, 0, -1, 0, 0) : c.snapshot(ssrc);
    }

    public TransportStats stats() {
        return new TransportStats(datagramsIn.sum(), stunIn.sum(), dtlsIn.sum(), srtpIn.sum(), srtcpIn.sum(),
                unprotectFailures.sum(), earlyMediaDropped.sum(), unknownIn.sum(), rtpOut.sum(), rtcpOut.sum(), keyframeRequests.sum(),
                rembs.sum());
    }

    /**
     * A fresh context that unprotects what the SFU sends on this transport, with its own replay
     * state: for checking captured datagrams after the fact. Empty before the handshake.
     */
    public Optional<SrtpContext> newReceiveContext() {
        SrtpKeys k = keys;
        return k == null ? Optional.empty() : Optional.of(k.newReceiveContext());
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (consentTask != null) {
            consentTask.cancel(false);
        }
        if (reportTask != null) {
            reportTask.cancel(false);
        }
        if (transportFeedbackTask != null) {
            transportFeedbackTask.cancel(false);
        }
        if (nackTask != null) {
            nackTask.cancel(false);
        }
        DtlsEndpoint d = dtls;
        if (d != null) {
            d.close();
            try {
                // Lets close_notify leave before the socket closes.
                d.closeFuture().get(500, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                log.debug("event=client_dtls_close_slow transport={}", name);
            }
        }
        try {
            channel.close();
        } catch (IOException e) {
            log.debug("event=client_socket_close_failed transport={} error={}", name, e.toString());
        }
        Thread r = reader;
        if (r != null) {
            try {
                r.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        connected.completeExceptionally(new MediaConnectException(name + ": closed"));
    }

    @Override
    public String toString() {
        return "MediaTransportClient[" + name + "]";
    }

    // ---- the reader thread ----

    private void readLoop() {
        SocketReader r = new SocketReader();
        while (!closed.get() && channel.isOpen()) {
            r.readOne();
        }
    }

    /**
     * The reading side of the socket: one datagram at a time, by the transport's own reader thread
     * (blocking) or by a shared {@link ReceiveLoop} (non-blocking); one reader per socket either way.
     */
    private final class SocketReader implements ReceiveLoop.Reader {
        private final byte[] buf = new byte[MAX_DATAGRAM + TRAILER_ROOM];
        private final ByteBuffer bb = ByteBuffer.wrap(buf, 0, MAX_DATAGRAM);
        private final RtpPacket rtp = new RtpPacket();
        private final Vp8PayloadDescriptor vp8 = new Vp8PayloadDescriptor();
        private final RtcpCompoundIterator rtcp = new RtcpCompoundIterator();
        private final RtcpFir fir = new RtcpFir();
        private final ArrayDeque<byte[]> early = new ArrayDeque<>();

        @Override
        public boolean readOne() {
            if (closed.get()) {
                return false;
            }
            int n;
            try {
                bb.clear();
                n = channel.read(bb);
            } catch (ClosedChannelException e) {
                return false;
            } catch (IOException e) {
                // ICMP port unreachable and the like: UDP carries on.
                return true;
            }
            if (n <= 0) {
                return false;
            }
            handle(n);
            return true;
        }

        private void handle(int n) {
            datagramsIn.increment();
            capture(buf, n);
            PacketKind kind = PacketClassifier.classify(buf, 0, n);
            boolean media = kind == PacketKind.RTP || kind == PacketKind.RTCP;
            if (media && receiveContext == null) {
                if (early.size() < EARLY_MEDIA_LIMIT) {
                    early.add(Arrays.copyOf(buf, n + TRAILER_ROOM));
                } else {
                    earlyMediaDropped.increment();
                }
                return;
            }
            while (!early.isEmpty() && receiveContext != null) {
                byte[] e = early.poll();
                int len = e.length - TRAILER_ROOM;
                if (PacketClassifier.classify(e, 0, len) == PacketKind.RTP) {
                    onSrtp(e, len, rtp, vp8);
                } else {
                    onSrtcp(e, len, rtcp, fir);
                }
            }
            switch (kind) {
                case STUN -> onStun(buf, n);
                case DTLS -> {
                    dtlsIn.increment();
                    DtlsEndpoint d = dtls;
                    if (d != null) {
                        d.receive(buf, 0, n);
                    }
                }
                case RTP -> onSrtp(buf, n, rtp, vp8);
                case RTCP -> onSrtcp(buf, n, rtcp, fir);
                case UNKNOWN -> unknownIn.increment();
            }
        }
    }

    private void capture(byte[] buf, int n) {
        if (captureLimit > 0) {
            synchronized (captured) {
                if (captured.size() < captureLimit) {
                    captured.add(Arrays.copyOf(buf, n));
                }
            }
        }
    }

    private void onStun(byte[] buf, int n) {
        stunIn.increment();
        ClientCheckResult result;
        synchronized (iceLock) {
            result = ice == null ? new ClientCheckResult.Ignored("no agent") : ice.handleResponse(buf, 0, n);
        }
        switch (result) {
            case ClientCheckResult.Success s -> iceSucceeded.complete(s.mappedAddress());
            case ClientCheckResult.Failure f -> {
                if (!iceSucceeded.isDone()) {
                    log.debug("event=client_ice_check_error transport={} code={} reason=\"{}\"", name, f.errorCode(), f.reason());
                }
            }
            case ClientCheckResult.Ignored i -> { }
        }
    }

    private void onSrtp(byte[] buf, int n, RtpPacket rtp, Vp8PayloadDescriptor vp8) {
        int plain = receiveContext.unprotectRtp(buf, 0, n);
        if (plain < 0 || !rtp.wrap(buf, 0, plain)) {
            unprotectFailures.increment();
            return;
        }
        srtpIn.increment();
        srtpBytesIn.add(n);
        long arrival = System.nanoTime();
        int transportCc = transportCcExtensionId;
        if (transportCc > 0 && rtp.extensionLength(transportCc) == 2) {
            // Before anything may drop the packet: padding counts for the SFU's estimate too.
            int at = rtp.extensionOffset(transportCc);
            transportFeedback.onPacket((buf[at] & 0xFF) << 8 | buf[at + 1] & 0xFF, arrival);
        }
        Integer apt = rtxPayloadTypes.get(rtp.payloadType());
        boolean retransmission = apt != null;
        if (retransmission) {
            Long media = rtxSsrcs.get(rtp.ssrc());
            if (media == null || !RtxPacket.decode(rtp, apt, media)) {
                paddingBytesIn.add(n); // RTX of no stream we know, or padding only
                return;
            }
            rtxReceived.increment();
        }
        if (nackPayloadTypes.contains(rtp.payloadType())) {
            ReceiveRecovery recovery = receiveRecoveries.computeIfAbsent(rtp.ssrc(), s -> new ReceiveRecovery());
            if (!recovery.onPacket(rtp.sequenceNumber(), retransmission, System.nanoTime())) {
                return;
            }
        }
        StreamCounter c = streams.computeIfAbsent(rtp.ssrc(), s -> new StreamCounter());
        int clockRate = vp8PayloadTypes.contains(rtp.payloadType()) ? 90_000 : 48_000;
        ReceiveStatistics stats = receiveStatistics.computeIfAbsent(rtp.ssrc(), s -> new ReceiveStatistics(s, clockRate));
        synchronized (stats) {
            stats.onPacket(rtp.sequenceNumber(), rtp.timestamp(), rtp.payloadLength(), arrival);
        }
        if (arrivalLimit > 0) {
            synchronized (arrivals) {
                if (arrivals.size() < arrivalLimit) {
                    arrivals.add(new RtpArrival(rtp.ssrc(), rtp.sequenceNumber(), rtp.timestamp(), arrival));
                }
            }
        }
        boolean keyframe = vp8PayloadTypes.contains(rtp.payloadType())
                && vp8.wrap(buf, rtp.payloadOffset(), rtp.payloadLength()) && vp8.isKeyframe();
        c.record(rtp.payloadType(), rtp.payloadLength(), rtp.sequenceNumber(), keyframe, keyframe ? vp8.keyframeWidth() : 0);
        RtpObserver observer = rtpObserver;
        if (observer != null && !retransmission) {
            observer.onRtp(rtp.ssrc(), rtp.sequenceNumber(), buf, rtp.payloadOffset(), rtp.payloadLength(), arrival);
        }
    }

    private void onSrtcp(byte[] buf, int n, RtcpCompoundIterator rtcp, RtcpFir fir) {
        int plain = receiveContext.unprotectRtcp(buf, 0, n);
        if (plain < 0) {
            unprotectFailures.increment();
            return;
        }
        srtcpIn.increment();
        LongConsumer handler = keyframeRequestHandler;
        rtcp.reset(buf, 0, plain);
        while (rtcp.next()) {
            RtcpPacket p = rtcp.packet();
            if (p.isPli()) {
                keyframeRequests.increment();
                handler.accept(p.mediaSsrc());
            } else if (p.isFir() && fir.wrap(p)) {
                for (int i = 0; i < fir.entryCount(); i++) {
                    keyframeRequests.increment();
                    handler.accept(fir.entrySsrc(i));
                }
            } else if (p.isRemb()) {
                rembs.increment();
            } else if (p.type() == RtcpPacket.APP && app.wrap(p) && app.downlinkEstimate() >= 0) {
                downlinkEstimate = app.downlinkEstimate();
            } else if (p.type() == RtcpPacket.SR && senderReport.wrap(p)) {
                onSenderReport(senderReport);
            } else if (p.type() == RtcpPacket.RR) {
                receiverReportsIn.increment();
            } else if (p.isNack()) {
                onNack(p);
            }
        }
    }

    private final RtcpSenderReport senderReport = new RtcpSenderReport();
    private final RtcpApp app = new RtcpApp();

    /** On the timer: transport-cc feedback for what arrived since the last one. */
    private void sendTransportFeedback() {
        if (closed.get() || transportCcExtensionId == 0 || !receiverReports) {
            return;
        }
        synchronized (feedbackBuffer) {
            int len = transportFeedback.write(feedbackBuffer, 0);
            if (len > 0) {
                sendRtcp(feedbackBuffer, 0, len);
            }
        }
    }

    private void onSenderReport(RtcpSenderReport sr) {
        long arrival = System.nanoTime();
        synchronized (senderReports) {
            if (senderReports.size() < MAX_SENDER_REPORTS_KEPT) {
                senderReports.add(new ReceivedSenderReport(sr.ssrc(), sr.ntpTimestamp(), sr.rtpTimestamp(),
                        sr.packetCount(), sr.octetCount(), arrival));
            }
        }
        ReceiveStatistics stats = receiveStatistics.get(sr.ssrc());
        if (stats != null) {
            synchronized (stats) {
                stats.onSenderReport(sr.ntpTimestamp(), arrival);
            }
        }
    }

    // ---- sending ----

    /** On the reader thread: answers a NACK for a stream we send, within the retransmitter's caps. */
    private void onNack(RtcpPacket p) {
        nacksReceived.increment();
        RtcpNack nack = new RtcpNack();
        if (!nack.wrap(p)) {
            return;
        }
        int[] lost = new int[nack.lostCount()];
        int count = nack.lostSequenceNumbers(lost);
        nackedReceived.add(count);
        synchronized (sendLock) {
            SendRecovery recovery = sendRecoveries.get(nack.mediaSsrc());
            if (recovery == null || sendContext == null || closed.get()) {
                rtxNotSent.add(count);
                return;
            }
            long now = System.nanoTime();
            for (int i = 0; i < count; i++) {
                int len = recovery.retransmit(lost[i], now, rtxBuffer);
                int n = len > 0 ? sendContext.protectRtp(rtxBuffer, 0, len) : -1;
                if (n < 0) {
                    rtxNotSent.increment();
                    continue;
                }
                try {
                    channel.write(ByteBuffer.wrap(rtxBuffer, 0, n));
                    rtxSent.increment();
                    rtpOut.increment();
                } catch (IOException e) {
                    rtxNotSent.increment();
                }
            }
        }
    }

    /** On the timer: NACKs what each received stream is missing. */
    private void sendDueNacks() {
        if (closed.get()) {
            return;
        }
        long now = System.nanoTime();
        receiveRecoveries.forEach((ssrc, recovery) -> {
            int count = recovery.collect(now, nackScratch);
            if (count > 0) {
                byte[] nack = new byte[RtcpNack.length(nackScratch, count)];
                RtcpNack.write(nack, 0, rtcpSenderSsrc, ssrc, nackScratch, count);
                if (sendRtcp(nack, 0, nack.length)) {
                    nacksSent.increment();
                }
            }
        });
    }

    /** An RR with a block per stream received (RFC 3550 §6.4.2); nothing when nothing came. */
    private void sendReceiverReport() {
        if (closed.get()) {
            return;
        }
        long now = System.nanoTime();
        List<RtcpReportBlock> blocks = new ArrayList<>();
        for (ReceiveStatistics stats : receiveStatistics.values()) {
            synchronized (stats) {
                if (stats.hasPackets() && blocks.size() < 31) {
                    blocks.add(stats.reportBlock(now));
                }
            }
        }
        if (blocks.isEmpty()) {
            return;
        }
        byte[] rr = new byte[RtcpReceiverReport.length(blocks.size())];
        RtcpReceiverReport.write(rr, 0, rtcpSenderSsrc, blocks.toArray(RtcpReportBlock[]::new));
        sendRtcp(rr, 0, rr.length);
    }

    private void sendConsentCheck() {
        if (closed.get()) {
            return;
        }
        byte[] request;
        synchronized (iceLock) {
            request = ice.bindingRequest(CHECK_PRIORITY, false);
        }
        sendRaw(request, 0, request.length);
    }

    /** Sends a datagram as it is (STUN, DTLS); UDP may drop it, and so may we on a socket error. */
    private void sendRaw(byte[] data, int off, int len) {
        try {
            channel.write(ByteBuffer.wrap(data, off, len));
        } catch (IOException e) {
            log.debug("event=client_send_failed transport={} error={}", name, e.toString());
        }
    }

    /** One SSRC's counts: written by the reader thread only (so ++ on volatiles is safe), read by anyone. */
    private static final class StreamCounter {
        private volatile int payloadType = -1;
        private volatile long packets;
        private volatile long bytes;
        private volatile int lastSequenceNumber = -1;
        private volatile long keyframes;
        private volatile int lastKeyframeWidth;

        void record(int pt, int payloadBytes, int sequenceNumber, boolean keyframe, int keyframeWidth) {
            payloadType = pt;
            if (keyframeWidth > 0) {
                lastKeyframeWidth = keyframeWidth;
            }
            bytes += payloadBytes;
            lastSequenceNumber = sequenceNumber;
            if (keyframe) {
                keyframes++;
            }
            packets++;
        }

        ReceivedStream snapshot(long ssrc) {
            return new ReceivedStream(ssrc, payloadType, packets, bytes, lastSequenceNumber, keyframes, lastKeyframeWidth);
        }
    }
}
