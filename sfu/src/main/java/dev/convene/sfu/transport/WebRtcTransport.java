package dev.convene.sfu.transport;

import dev.convene.media.core.rtcp.RtcpNack;
import dev.convene.media.core.rtcp.RtcpPli;
import dev.convene.media.core.rtcp.RtcpRemb;
import dev.convene.media.transport.dtls.DtlsCertificate;
import dev.convene.media.transport.dtls.DtlsEndpoint;
import dev.convene.media.transport.dtls.DtlsFingerprint;
import dev.convene.media.transport.dtls.DtlsRole;
import dev.convene.media.transport.dtls.DtlsSrtpResult;
import dev.convene.media.transport.ice.BindingOutcome;
import dev.convene.media.transport.ice.IceCredentials;
import dev.convene.media.transport.ice.IceLiteAgent;
import dev.convene.media.transport.srtp.SrtpContext;
import dev.convene.media.transport.srtp.SrtpKeys;
import dev.convene.media.transport.stun.StunMessage;
import dev.convene.sfu.negotiation.TransportParams;
import dev.convene.sfu.net.MediaCounters;
import dev.convene.sfu.net.MediaEndpoint;
import dev.convene.sfu.net.MediaPath;
import dev.convene.sfu.net.MediaSocket;
import dev.convene.sfu.net.UdpPath;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One bundled WebRTC transport on the SFU's media port: ICE-lite, DTLS (server, or client when
 * the peer's SDP says {@code a=setup:passive}), and SRTP in both directions. Everything it sends
 * goes on the selected pair's path: from the local endpoint its checks reached, or on its
 * ICE-TCP connection. Media methods run on the media event
 * loop; the DTLS handshake runs on its own thread and hands its keys back to the loop.
 */
public final class WebRtcTransport {

    /** Receives what arrives on a transport, on the media event loop. Buffers are reused after the call. */
    public interface Listener {
        void onRtp(WebRtcTransport transport, byte[] buf, int off, int len);

        void onRtcp(WebRtcTransport transport, byte[] buf, int off, int len);

        void onConnected(WebRtcTransport transport);

        void onFailed(WebRtcTransport transport, String reason);
    }

    private static final Logger log = LoggerFactory.getLogger(WebRtcTransport.class);
    /** The SSRC the SFU sends its own RTCP feedback with. */
    public static final long FEEDBACK_SSRC = 1;

    private final String name;
    private final TransportDemux demux;
    private final Executor loop;
    private final DtlsCertificate certificate;
    private final MediaCounters counters;
    private final Listener listener;
    private final IceLiteAgent ice;
    private final TransportParams localParams;
    /**
     * Where PLI, NACK and REMB are written, protected and sent at once (the path copies them
     * out): one buffer of the media loop's, shared by its transports, as every use is on the loop
     * and done before it returns. A buffer each cost two KB per transport, four per participant.
     */
    private final byte[] rtcpScratch;
    /** Where consent-check answers are written; the path copies them out on send. */
    private final byte[] stunScratch = new byte[256];
    /**
     * The selected pair's path: where media, RTCP and DTLS go. Null before ICE, or after its TCP
     * connection closed. Read by the DTLS thread too.
     */
    private volatile MediaPath route;
    /** A server until the peer's SDP asks us to be the client; replaced only before it starts. */
    private volatile DtlsEndpoint dtls;
    private SrtpContext inbound;
    private SrtpContext outbound;
    private boolean dtlsStarted;
    private boolean closed;

    /**
     * @param loop the media event loop the transport is confined to
     * @param consentTimeout how long the peer may send neither a valid check nor authenticated
     *     media from the selected address before the transport counts as gone (RFC 7675)
     * @param rtcpScratch where RTCP feedback is written ({@link #newRtcpScratch()}), shared by the loop's transports
     */
    public WebRtcTransport(String name, TransportDemux demux, Executor loop, DtlsCertificate certificate,
            MediaCounters counters, Duration consentTimeout, Listener listener, byte[] rtcpScratch) {
        if (rtcpScratch.length < MediaSocket.MAX_DATAGRAM + MediaSocket.TRAILER_ROOM) {
            throw new IllegalArgumentException("an RTCP scratch buffer needs " + (MediaSocket.MAX_DATAGRAM
                    + MediaSocket.TRAILER_ROOM) + " bytes, not " + rtcpScratch.length);
        }
        this.rtcpScratch = rtcpScratch;
        this.name = name;
        this.demux = demux;
        this.loop = loop;
        this.certificate = certificate;
        this.counters = counters;
        this.listener = listener;
        IceCredentials credentials = IceCredentials.random();
        this.ice = new IceLiteAgent(credentials, null, System.nanoTime(), consentTimeout);
        this.dtls = new DtlsEndpoint(DtlsRole.SERVER, certificate, this::sendDtls);
        DtlsFingerprint fingerprint = certificate.fingerprint();
        this.localParams = new TransportParams(credentials.ufrag(), credentials.password(), fingerprint.algorithm(),
                fingerprint.hex(), null);
        demux.register(this);
    }

    /** Our ICE credentials and DTLS fingerprint, for the SDP we write. */
    public TransportParams localParams() {
        return localParams;
    }

    /**
     * Applies the remote side's SDP parameters: its ICE username fragment and DTLS fingerprint,
     * and which DTLS role we play. On the loop.
     *
     * @throws IllegalStateException if the role would change after the handshake started
     * @throws IllegalArgumentException if the fingerprint is malformed
     */
    public void setRemote(TransportParams remoteParams, DtlsRole localRole) {
        DtlsFingerprint fingerprint = DtlsFingerprint.parse(remoteParams.fingerprintAlgorithm() + " "
                + remoteParams.fingerprint());
        if (localRole != dtls.role()) {
            if (dtlsStarted) {
                throw new IllegalStateException("the DTLS role of this transport is already " + dtls.role()
                        + " (a=setup cannot change it after the handshake started)");
            }
            dtls.close();
            dtls = new DtlsEndpoint(localRole, certificate, this::sendDtls);
        }
        if (remoteParams.iceUfrag() != null) {
            ice.setRemoteUfrag(remoteParams.iceUfrag());
        }
        dtls.setRemoteFingerprint(fingerprint);
        if (localRole == DtlsRole.CLIENT && route != null) {
            startDtls();
        }
    }

    public boolean consentExpired(long nowNanos) {
        // Not `route != null`: a selected TCP connection that closed must still let consent expire.
        return ice.hasSelectedAddress() && ice.consentExpired(nowNanos);
    }

    // ---- inbound, on the loop ----

    /**
     * A consent check on the selected UDP pair, answered without parsing into objects (ADR 0027):
     * true when answered; false for anything else, which then takes {@link #onStun}.
     */
    boolean answerConsentCheck(byte[] buf, int len, InetSocketAddress from, MediaEndpoint via) {
        if (!(route instanceof UdpPath udp) || udp.local() != via || !udp.remoteAddress().equals(from)) {
            return false;
        }
        int n = ice.answerConsentCheck(buf, 0, len, from, System.nanoTime(), stunScratch);
        if (n < 0) {
            return false;
        }
        udp.send(stunScratch, 0, n);
        if (dtls.role() == DtlsRole.CLIENT) {
            startDtls();
        }
        return true;
    }

    void onStun(StunMessage message, InetSocketAddress from, MediaEndpoint via) {
        onStun(message, new UdpPath(via, from));
    }

    /** A check that arrived on {@code path}: a UDP address at one local endpoint, or an ICE-TCP connection. */
    void onStun(StunMessage message, MediaPath path) {
        BindingOutcome outcome = ice.handle(message, path.remoteAddress(), System.nanoTime());
        switch (outcome) {
            case BindingOutcome.Accepted accepted -> {
                demux.bindPath(path, this);
                // A change of selection always selects the source of this very check (IceLiteAgent).
                if (route == null || accepted.selectedChanged()) {
                    if (route != null) {
                        log.info("event=selected_path_changed transport={} from={} to={}", name, route, path);
                    }
                    route = path;
                }
                path.send(accepted.response(), 0, accepted.response().length);
                if (dtls.role() == DtlsRole.CLIENT) {
                    startDtls();
                }
            }
            case BindingOutcome.Rejected rejected -> {
                counters.droppedStun.increment();
                path.send(rejected.response(), 0, rejected.response().length);
            }
            case BindingOutcome.Dropped dropped -> counters.droppedStun.increment();
        }
    }

    /**
     * An ICE-TCP connection of this transport closed. If it carried the selected pair, nothing is
     * sent until the peer's next valid check selects another path (or consent expires).
     */
    void onPathClosed(MediaPath path) {
        if (route == path) {
            route = null;
            log.info("event=selected_path_closed transport={} path={}", name, path);
        }
    }

    void onDtls(byte[] buf, int len) {
        if (closed) {
            counters.droppedDtls.increment();
            return;
        }
        if (!dtls.receive(buf, 0, len)) {
            counters.droppedDtls.increment();
            return;
        }
        if (dtls.role() == DtlsRole.SERVER) {
            startDtls();
        }
    }

    private void startDtls() {
        if (dtlsStarted || closed) {
            return;
        }
        dtlsStarted = true;
        dtls.start().whenComplete((result, error) -> loop.execute(() -> onHandshakeDone(result, error)));
    }

    private void onHandshakeDone(DtlsSrtpResult result, Throwable error) {
        if (closed || outbound != null) {
            return;
        }
        if (error != null) {
            Throwable cause = error instanceof CompletionException ? error.getCause() : error;
            counters.dtlsFailures.increment();
            log.info("event=dtls_failed transport={} reason=\"{}\"", name, cause.getMessage());
            listener.onFailed(this, "DTLS handshake failed: " + cause.getMessage());
            return;
        }
        SrtpKeys keys = result.srtpKeys();
        inbound = keys.newReceiveContext();
        outbound = keys.newSendContext();
        log.info("event=transport_connected transport={} path={} dtls_role={} srtp={}", name, route, dtls.role(),
                result.profile());
        listener.onConnected(this);
    }

    /** Unprotects and routes an SRTP packet; returns how many RTP packets its routing sent (0 if none). */
    int onSrtp(byte[] buf, int len, InetSocketAddress from) {
        if (inbound == null) {
            counters.droppedSrtp.increment();
            return 0;
        }
        int plain = inbound.unprotectRtp(buf, 0, len);
        if (plain < 0) {
            counters.droppedSrtp.increment();
            return 0;
        }
        refreshConsent(from);
        long sentBefore = demux.rtpSent;
        listener.onRtp(this, buf, 0, plain);
        return (int) (demux.rtpSent - sentBefore);
    }

    void onSrtcp(byte[] buf, int len, InetSocketAddress from) {
        if (inbound == null) {
            counters.droppedSrtp.increment();
            return;
        }
        int plain = inbound.unprotectRtcp(buf, 0, len);
        if (plain < 0) {
            counters.droppedSrtp.increment();
            return;
        }
        refreshConsent(from);
        listener.onRtcp(this, buf, 0, plain);
    }

    /**
     * Authenticated SRTP/SRTCP from the selected address proves the peer is there as well as a
     * consent check would: only the holder of the DTLS keys can produce it. RFC 7675 lets the
     * ICE-lite side (which sends no checks of its own) be this lenient; it keeps clients that
     * send no consent checks while media flows (Pion, some bots) in the meeting.
     */
    private void refreshConsent(InetSocketAddress from) {
        MediaPath r = route;
        if (r != null && r.remoteAddress().equals(from)) {
            ice.refreshConsent(from, System.nanoTime());
        }
    }

    // ---- outbound ----

    /** Protects and sends an RTP packet; {@code buf} needs {@link MediaSocket#TRAILER_ROOM} spare bytes after it. On the loop. */
    public void sendRtp(byte[] buf, int off, int len) {
        MediaPath to = route;
        if (outbound == null || to == null) {
            return;
        }
        int protectedLength = outbound.protectRtp(buf, off, len);
        if (protectedLength > 0) {
            counters.rtpOut.increment();
            demux.rtpSent++;
            counters.bytesOut.add(protectedLength);
            to.send(buf, off, protectedLength);
        }
    }

    /** Protects and sends an RTCP packet; same buffer rule as {@link #sendRtp}. On the loop. */
    public void sendRtcp(byte[] buf, int off, int len) {
        MediaPath to = route;
        if (outbound == null || to == null) {
            return;
        }
        int protectedLength = outbound.protectRtcp(buf, off, len);
        if (protectedLength > 0) {
            counters.rtcpOut.increment();
            counters.bytesOut.add(protectedLength);
            to.send(buf, off, protectedLength);
        }
    }

    /** A buffer for the RTCP feedback of the transports of one media loop. */
    public static byte[] newRtcpScratch() {
        return new byte[MediaSocket.MAX_DATAGRAM + MediaSocket.TRAILER_ROOM];
    }

    /** Asks the sender of {@code mediaSsrc} on this transport for a keyframe. On the loop. */
    public void sendPli(long mediaSsrc) {
        int len = RtcpPli.write(rtcpScratch, 0, FEEDBACK_SSRC, mediaSsrc);
        sendRtcp(rtcpScratch, 0, len);
    }

    /** Asks the sender of {@code mediaSsrc} to retransmit {@code sequenceNumbers[0..count)} (generic NACK). On the loop. */
    public void sendNack(long mediaSsrc, int[] sequenceNumbers, int count) {
        int len = RtcpNack.write(rtcpScratch, 0, FEEDBACK_SSRC, mediaSsrc, sequenceNumbers, count);
        sendRtcp(rtcpScratch, 0, len);
    }

    /** Tells the sender on this transport how much it may send (REMB). On the loop. */
    public void sendRemb(long bitrate, long[] ssrcs) {
        sendRemb(bitrate, ssrcs, ssrcs.length);
    }

    /** REMB for {@code ssrcs[0..count)}. On the loop. */
    public void sendRemb(long bitrate, long[] ssrcs, int count) {
        count = Math.min(count, 32);
        int len = RtcpRemb.write(rtcpScratch, 0, FEEDBACK_SSRC, bitrate, ssrcs, count);
        sendRtcp(rtcpScratch, 0, len);
    }

    private void sendDtls(byte[] data, int off, int len) {
        MediaPath to = route;
        if (to != null) {
            to.send(data, off, len);
        }
    }

    /** Frees the transport's port mappings and ends DTLS. On the loop. */
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        demux.unregister(this);
        dtls.close();
        inbound = null;
        outbound = null;
    }

    @Override
    public String toString() {
        return "WebRtcTransport[" + name + "]";
    }
}
