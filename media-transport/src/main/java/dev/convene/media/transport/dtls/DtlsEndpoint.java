package dev.convene.media.transport.dtls;

import dev.convene.media.transport.dtls.DtlsCloseEvent.Cause;
import dev.convene.media.transport.dtls.DtlsHandshakeException.Reason;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.DTLSClientProtocol;
import org.bouncycastle.tls.DTLSServerProtocol;
import org.bouncycastle.tls.DTLSTransport;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsFatalAlertReceived;
import org.bouncycastle.tls.TlsTimeoutException;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One DTLS-SRTP association (RFC 5763/5764) with one peer, over datagrams the caller moves.
 *
 * <p>The SFU's UDP socket demultiplexes: every datagram of this peer whose first byte is
 * 20–63 goes to {@link #receive}, which copies it into a bounded queue and returns at once.
 * Datagrams out go to the {@link DatagramSender}. BouncyCastle's handshake is blocking, so
 * {@link #start()} runs it on a thread of its own (virtual by default) and reports through
 * futures: {@link #handshakeResult()} with the SRTP profile and keys, {@link #closeFuture()}
 * when the association ends (our close, the peer's close_notify or alert, or a failed
 * handshake). After the handshake the same thread keeps reading records, so retransmitted
 * final flights are answered and a close from the peer is noticed.
 *
 * <p>The peer's certificate must hash to the SDP fingerprint given to
 * {@link #setRemoteFingerprint}; that may come after {@link #start()} (with ICE-lite the
 * ClientHello can beat the answer's processing), the handshake then waits for it until its
 * deadline. Futures complete on the endpoint's thread: hop to an event loop before touching
 * confined state. All methods are thread-safe.
 */
public final class DtlsEndpoint implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DtlsEndpoint.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    /** How long the post-handshake reader parks between checks; any datagram or close wakes it sooner. */
    private static final int IDLE_WAIT_MILLIS = 30_000;

    private final DtlsRole role;
    private final DtlsCertificate certificate;
    private final DtlsConfig config;
    private final QueuedDatagramTransport transport;
    private final DtlsSrtpNegotiation negotiation;

    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closeRequested = new AtomicBoolean();
    private final CompletableFuture<DtlsSrtpResult> handshake = new CompletableFuture<>();
    private final CompletableFuture<DtlsCloseEvent> closed = new CompletableFuture<>();

    private final AtomicLong datagramsReceived = new AtomicLong();
    private final AtomicLong malformedDropped = new AtomicLong();
    private final AtomicLong applicationDataIgnored = new AtomicLong();

    public DtlsEndpoint(DtlsRole role, DtlsCertificate certificate, DatagramSender sender, DtlsConfig config) {
        this.role = Objects.requireNonNull(role, "role");
        this.certificate = Objects.requireNonNull(certificate, "certificate");
        this.config = Objects.requireNonNull(config, "config");
        this.transport = new QueuedDatagramTransport(
                Objects.requireNonNull(sender, "sender"), config.maxDatagramSize(), config.receiveQueueCapacity());
        this.negotiation = new DtlsSrtpNegotiation(
                new BcTlsCrypto(RANDOM), certificate, config, transport::remainingHandshakeNanos);
    }

    /** An endpoint with {@link DtlsConfig#defaults(DtlsRole)}. */
    public DtlsEndpoint(DtlsRole role, DtlsCertificate certificate, DatagramSender sender) {
        this(role, certificate, sender, DtlsConfig.defaults(role));
    }

    public DtlsRole role() {
        return role;
    }

    /** Our fingerprint, for the local SDP's {@code a=fingerprint}. */
    public DtlsFingerprint localFingerprint() {
        return certificate.fingerprint();
    }

    /**
     * Sets the fingerprint from the remote SDP that the peer's certificate must match. May be
     * called before or after {@link #start()}, until the handshake finishes.
     *
     * @throws IllegalStateException if a different fingerprint was already set
     */
    public void setRemoteFingerprint(DtlsFingerprint fingerprint) {
        negotiation.setExpectedFingerprint(Objects.requireNonNull(fingerprint, "fingerprint"));
    }

    /**
     * Starts the handshake on a thread from {@link DtlsConfig#threadFactory()}; the server
     * waits for a ClientHello (including any already received), the client sends one. The
     * handshake timeout counts from here. Calling it again returns the same outcome.
     */
    public CompletableFuture<DtlsSrtpResult> start() {
        if (started.compareAndSet(false, true)) {
            if (closeRequested.get()) {
                finishHandshake(null, new DtlsHandshakeException(Reason.CLOSED, "closed before the handshake started"));
                closed.complete(new DtlsCloseEvent(Cause.LOCAL_CLOSE, "closed before the handshake started"));
            } else {
                transport.startHandshakeClock(config.handshakeTimeout().toMillis());
                config.threadFactory().newThread(this::run).start();
            }
        }
        return handshakeResult();
    }

    /**
     * The handshake's outcome: the SRTP profile and keying material, or a
     * {@link DtlsHandshakeException} (wrapped in a CompletionException by join/get) with its
     * {@link DtlsHandshakeException.Reason}.
     */
    public CompletableFuture<DtlsSrtpResult> handshakeResult() {
        return handshake.copy();
    }

    /** Completes once when the association ends, for whatever reason, and the thread is done with it. */
    public CompletableFuture<DtlsCloseEvent> closeFuture() {
        return closed.copy();
    }

    /**
     * Hands over one received datagram of this peer. Copies it and returns without blocking;
     * datagrams that are not whole DTLS records, or that find the queue full, are dropped and
     * counted. Never throws for the content of {@code data}.
     *
     * @return whether the datagram was taken; false when it was dropped
     */
    public boolean receive(byte[] data, int off, int len) {
        Objects.checkFromIndexSize(off, len, data.length);
        if (!DtlsRecords.isWellFormed(data, off, len)) {
            malformedDropped.incrementAndGet();
            return false;
        }
        if (transport.offer(Arrays.copyOfRange(data, off, off + len))) {
            datagramsReceived.incrementAndGet();
            return true;
        }
        return false;
    }

    /**
     * Ends the association without blocking: a running handshake fails with
     * {@link Reason#CLOSED}; an established one sends close_notify. {@link #closeFuture()}
     * completes once the thread has let go. Idempotent.
     */
    @Override
    public void close() {
        if (!closeRequested.compareAndSet(false, true)) {
            return;
        }
        negotiation.cancel();
        transport.requestClose();
        if (!started.get() && started.compareAndSet(false, true)) {
            transport.close();
            finishHandshake(null, new DtlsHandshakeException(Reason.CLOSED, "closed before the handshake started"));
            closed.complete(new DtlsCloseEvent(Cause.LOCAL_CLOSE, "closed before the handshake started"));
        }
    }

    public DtlsStats stats() {
        return new DtlsStats(
                datagramsReceived.get(),
                transport.datagramsSent(),
                malformedDropped.get(),
                transport.queueFullDropped() + transport.oversizeDropped(),
                applicationDataIgnored.get());
    }

    @Override
    public String toString() {
        return "DtlsEndpoint[" + role + ", local=" + certificate.fingerprint().toSdpValue() + "]";
    }

    // ---- The endpoint's thread ----

    private void run() {
        long startNanos = System.nanoTime();
        DTLSTransport dtls;
        try {
            dtls = handshake();
        } catch (IOException | RuntimeException e) {
            transport.close();
            DtlsHandshakeException failure = classify(e);
            LOG.info("event=dtls_handshake_failed role={} reason={} detail=\"{}\"", role, failure.reason(), failure.getMessage());
            finishHandshake(null, failure);
            closed.complete(failure.reason() == Reason.CLOSED
                    ? new DtlsCloseEvent(Cause.LOCAL_CLOSE, failure.getMessage())
                    : new DtlsCloseEvent(Cause.HANDSHAKE_FAILED, failure.getMessage()));
            return;
        }
        transport.handshakeFinished();
        DtlsSrtpResult result = negotiation.result();
        LOG.info("event=dtls_connected role={} profile={} cipher_suite={} peer=\"{}\" millis={}",
                role, result.profile(), DtlsSrtpNegotiation.cipherSuiteName(negotiation.cipherSuite()),
                result.peerFingerprint().toSdpValue(), (System.nanoTime() - startNanos) / 1_000_000);
        finishHandshake(result, null);
        DtlsCloseEvent event = readUntilClosed(dtls);
        LOG.info("event=dtls_closed role={} cause={} detail=\"{}\"", role, event.cause(), event.detail());
        closed.complete(event);
    }

    private DTLSTransport handshake() throws IOException {
        if (role == DtlsRole.SERVER) {
            DTLSServerProtocol protocol = new DTLSServerProtocol();
            // ICE connectivity checks already proved the peer receives at its address, so the
            // HelloVerifyRequest cookie round trip (RFC 6347 §4.2.1) would only add latency.
            protocol.setVerifyRequests(false);
            return protocol.accept(new DtlsServerPeer(negotiation), transport);
        }
        return new DTLSClientProtocol().connect(new DtlsClientPeer(negotiation), transport);
    }

    private void finishHandshake(DtlsSrtpResult result, DtlsHandshakeException failure) {
        if (failure == null) {
            handshake.complete(result);
        } else {
            handshake.completeExceptionally(failure);
        }
    }

    /**
     * Reads records until the association ends. Nothing but alerts and retransmitted
     * handshake records is expected; BouncyCastle answers the latter inside receive().
     */
    private DtlsCloseEvent readUntilClosed(DTLSTransport dtls) {
        try {
            byte[] buf = new byte[dtls.getReceiveLimit()];
            while (true) {
                int n = dtls.receive(buf, 0, buf.length, IDLE_WAIT_MILLIS);
                if (n >= 0) {
                    applicationDataIgnored.incrementAndGet();
                } else if (transport.isClosed()) {
                    return peerEnded("connection closed");
                }
            }
        } catch (InterruptedIOException e) {
            if (closeRequested.get()) {
                closeQuietly(dtls); // Sends close_notify while the transport still lets writes through.
                transport.close();
                return new DtlsCloseEvent(Cause.LOCAL_CLOSE, "closed locally");
            }
            return peerEnded(e.getMessage());
        } catch (TlsFatalAlertReceived e) {
            return new DtlsCloseEvent(Cause.PEER_ALERT, AlertDescription.getText(e.getAlertDescription()));
        } catch (IOException | RuntimeException e) {
            closeQuietly(dtls);
            transport.close();
            short alert = negotiation.fatalAlertReceived();
            return alert >= 0
                    ? new DtlsCloseEvent(Cause.PEER_ALERT, AlertDescription.getText(alert))
                    : new DtlsCloseEvent(Cause.ERROR, String.valueOf(e));
        }
    }

    private DtlsCloseEvent peerEnded(String fallbackDetail) {
        short alert = negotiation.fatalAlertReceived();
        if (alert >= 0) {
            return new DtlsCloseEvent(Cause.PEER_ALERT, AlertDescription.getText(alert));
        }
        if (negotiation.closeNotifyReceived()) {
            return new DtlsCloseEvent(Cause.PEER_CLOSE_NOTIFY, "close_notify");
        }
        return new DtlsCloseEvent(Cause.ERROR, fallbackDetail);
    }

    private static void closeQuietly(DTLSTransport dtls) {
        try {
            dtls.close();
        } catch (IOException | RuntimeException ignored) {
            // Best effort: the peer learns of the close from ICE consent expiry otherwise.
        }
    }

    private DtlsHandshakeException classify(Exception e) {
        DtlsHandshakeException recorded = negotiation.failure();
        if (recorded != null) {
            return new DtlsHandshakeException(recorded.reason(), recorded.getMessage(), e);
        }
        if (closeRequested.get()) {
            return new DtlsHandshakeException(Reason.CLOSED, "closed before the handshake finished", e);
        }
        if (e instanceof TlsTimeoutException) {
            return new DtlsHandshakeException(Reason.TIMEOUT,
                    "no DTLS handshake within " + config.handshakeTimeout().toMillis() + " ms", e);
        }
        short alert = negotiation.fatalAlertReceived();
        if (e instanceof TlsFatalAlertReceived received) {
            alert = received.getAlertDescription();
        }
        if (alert >= 0) {
            return new DtlsHandshakeException(Reason.PEER_ALERT,
                    "peer sent fatal alert " + AlertDescription.getText(alert), e);
        }
        if (e instanceof TlsFatalAlert fatal) {
            return new DtlsHandshakeException(Reason.PROTOCOL_ERROR,
                    "handshake failed with " + AlertDescription.getText(fatal.getAlertDescription())
                            + (fatal.getMessage() == null ? "" : ": " + fatal.getMessage()), e);
        }
        return new DtlsHandshakeException(Reason.PROTOCOL_ERROR, "handshake failed: " + e, e);
    }
}
