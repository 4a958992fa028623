package dev.convene.sfu.room;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.convene.media.transport.dtls.DtlsFingerprint;
import dev.convene.media.transport.ice.ClientCheckResult;
import dev.convene.media.transport.ice.IceControllingAgent;
import dev.convene.media.transport.ice.IceCredentials;
import dev.convene.media.transport.stun.StunMessage;
import dev.convene.sdp.Candidate;
import dev.convene.sdp.MediaDescription;
import dev.convene.sdp.SdpParser;
import dev.convene.sdp.SessionDescription;
import dev.convene.sfu.ParticipantListener;
import dev.convene.sfu.ParticipantSession;
import dev.convene.sfu.SfuConfig;
import dev.convene.sfu.SubscribedTrack;
import dev.convene.sfu.TrackDeclaration;
import dev.convene.sfu.TrackKind;
import dev.convene.sfu.TrackSource;
import dev.convene.sfu.net.MediaCounters;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * ICE-TCP against a real {@link LocalSfuNode} on loopback: RFC 4571-framed STUN is answered on
 * the connection it came in on, DTLS and SRTP run over it, media published over one TCP
 * connection reaches a subscriber over another, and bad connections are counted, closed and
 * hurt no one.
 */
@Timeout(60)
class IceTcpTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    /** The audio SSRC and payload type of the Chromium offer used here. */
    private static final long AUDIO_SSRC = 957778702L;
    private static final int OPUS = 111;

    private LocalSfuNode sfu;
    private final Set<IceTcpPeer> peers = new LinkedHashSet<>();

    @BeforeEach
    void start() throws Exception {
        sfu = LocalSfuNode.start(new SfuConfig("sfu-tcp", new InetSocketAddress("127.0.0.1", 0), List.of(), 2_500_000,
                SfuConfig.DEFAULT_CONSENT_TIMEOUT, 0));
    }

    @AfterEach
    void stop() throws IOException {
        for (IceTcpPeer p : peers) {
            p.close();
        }
        sfu.close();
    }

    @Test
    void answersOfferAPassiveTcpCandidateBelowTheUdpOne() throws Exception {
        Publisher ada = publish("ada", new IceTcpPeer(tcpAddress()));

        MediaDescription m = ada.answer.media().getFirst();
        Candidate udp = m.candidates().stream().filter(Candidate::isUdp).findFirst().orElseThrow();
        Candidate tcp = m.candidates().stream().filter(c -> !c.isUdp()).findFirst().orElseThrow();
        assertThat(tcp.transport()).isEqualTo("tcp");
        assertThat(tcp.port()).isEqualTo(sfu.tcpPort());
        assertThat(tcp.extensions()).containsEntry("tcptype", "passive");
        assertThat(tcp.type()).isEqualTo("host");
        assertThat(tcp.foundation()).isNotEqualTo(udp.foundation());
        assertThat(tcp.priority()).isLessThan(udp.priority());
    }

    @Test
    void framedStunIsAnsweredOnItsConnectionWithIntegrityAndTheMappedTcpAddress() throws Exception {
        IceTcpPeer peer = new IceTcpPeer(tcpAddress());
        Publisher ada = publish("ada", peer);
        IceControllingAgent agent = new IceControllingAgent(peer.localIce, ada.sfuIce);

        ClientCheckResult result = peer.check(agent, true, WAIT);

        // IceControllingAgent checks MESSAGE-INTEGRITY with the SFU's password and the transaction id.
        assertThat(result).isInstanceOfSatisfying(ClientCheckResult.Success.class,
                s -> assertThat(s.mappedAddress()).isEqualTo(peer.localAddress()));
        assertThat(sfu.counters().tcpFramesIn.sum()).isEqualTo(1);
        assertThat(sfu.counters().stunIn.sum()).isEqualTo(1);
    }

    @Test
    void aCheckWithTheWrongPasswordGetsA401AndBindsNothing() throws Exception {
        IceTcpPeer peer = new IceTcpPeer(tcpAddress());
        Publisher ada = publish("ada", peer);
        IceControllingAgent wrong = new IceControllingAgent(peer.localIce,
                new IceCredentials(ada.sfuIce.ufrag(), IceCredentials.random().password()));

        byte[] request = wrong.bindingRequest(1, true);
        peer.sendFrame(request, 0, request.length);
        ClientCheckResult result = peer.awaitStunResponse(wrong, WAIT);

        assertThat(result).isInstanceOfSatisfying(ClientCheckResult.Failure.class,
                f -> assertThat(f.errorCode()).isEqualTo(401));
        assertThat(sfu.counters().droppedStun.sum()).isEqualTo(1);
    }

    @Test
    void framesSplitAcrossWritesAndSeveralInOneWriteAreAllAnswered() throws Exception {
        IceTcpPeer peer = new IceTcpPeer(tcpAddress());
        Publisher ada = publish("ada", peer);
        IceControllingAgent agent = new IceControllingAgent(peer.localIce, ada.sfuIce);

        byte[] first = framed(agent.bindingRequest(1, false));
        for (byte b : first) {
            peer.writeRaw(new byte[] {b});
        }
        assertThat(peer.awaitStunResponse(agent, WAIT)).isInstanceOf(ClientCheckResult.Success.class);

        byte[] two = concat(framed(agent.bindingRequest(1, false)), framed(agent.bindingRequest(1, true)));
        peer.writeRaw(two);
        assertThat(peer.awaitStunResponse(agent, WAIT)).isInstanceOf(ClientCheckResult.Success.class);
        assertThat(peer.awaitStunResponse(agent, WAIT)).isInstanceOf(ClientCheckResult.Success.class);
    }

    @Test
    void mediaPublishedOverTcpReachesASubscriberOverTcp() throws Exception {
        IceTcpPeer adaPeer = new IceTcpPeer(tcpAddress());
        Publisher ada = publish("ada", adaPeer);
        connect(adaPeer, ada.sfuIce, ada.sfuFingerprint);

        IceTcpPeer bobPeer = new IceTcpPeer(tcpAddress());
        RecordingListener bobListener = new RecordingListener();
        ParticipantSession bob = sfu.join("m1", "bob", bobListener);
        // Bob publishes nothing; he receives Ada's audio on his subscriber transport.
        await().atMost(WAIT).until(() -> bobListener.offers.stream().anyMatch(o -> !o.tracks().isEmpty()));
        String offer = bobListener.offers.getLast().sdp();
        SessionDescription offered = SdpParser.parse(offer);
        MediaDescription audio = offered.media().stream().filter(m -> m.type().equals(MediaDescription.AUDIO))
                .findFirst().orElseThrow();
        long forwardedSsrc = audio.ssrcs().getFirst();
        bob.onSubscriberAnswer(subscriberAnswer(offer, bobPeer));
        connect(bobPeer, new IceCredentials(audio.iceUfrag().orElseThrow(), audio.icePwd().orElseThrow()),
                DtlsFingerprint.parse(audio.fingerprint().orElseThrow().algorithm() + " "
                        + audio.fingerprint().orElseThrow().value()));

        MediaCounters counters = sfu.counters();
        long rtpOutBefore = counters.rtpOut.sum();
        int sequence = 1000;
        for (int i = 0; i < 50; i++) {
            adaPeer.sendRtp(OPUS, sequence + i, 960L * i, AUDIO_SSRC, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        }

        await().atMost(WAIT).until(() -> bobPeer.rtpReceived(forwardedSsrc) >= 45);
        // The SFU's receiver estimate (REMB, once a second) goes back to Ada over her connection.
        await().atMost(WAIT).until(() -> adaPeer.srtcpIn.get() >= 1);
        assertThat(counters.rtpOut.sum() - rtpOutBefore).isGreaterThanOrEqualTo(45);
        assertThat(bobPeer.unprotectFailures.get()).isZero();
        assertThat(adaPeer.unprotectFailures.get()).isZero();
        assertThat(counters.droppedSrtp.sum()).isZero();
        assertThat(counters.droppedTcpSends.sum()).isZero();
        assertThat(sfu.tcpConnectionCount()).isEqualTo(2);

        // When Bob leaves, his transport is closed, and so is the connection that was his.
        bob.close();
        await().atMost(WAIT).until(bobPeer::isClosedByPeer);
        assertThat(adaPeer.isClosedByPeer()).isFalse();
        await().atMost(WAIT).until(() -> sfu.tcpConnectionCount() == 1);
    }

    @Test
    void badConnectionsAreCountedAndClosedWhileAGoodOneKeepsWorking() throws Exception {
        IceTcpPeer good = new IceTcpPeer(tcpAddress());
        Publisher ada = publish("ada", good);
        IceControllingAgent agent = new IceControllingAgent(good.localIce, ada.sfuIce);
        assertThat(good.check(agent, true, WAIT)).isInstanceOf(ClientCheckResult.Success.class);
        MediaCounters counters = sfu.counters();
        long droppedBefore = counters.dropped();

        IceTcpPeer http = new IceTcpPeer(tcpAddress());
        http.writeRaw(("GET / HTTP/1.1\r\nHost: sfu\r\n\r\n" + "x".repeat(20_000)).getBytes(StandardCharsets.US_ASCII));
        IceTcpPeer oversized = new IceTcpPeer(tcpAddress());
        IceTcpPeer garbage = new IceTcpPeer(tcpAddress());
        IceTcpPeer mediaBeforeIce = new IceTcpPeer(tcpAddress());
        IceTcpPeer unknownUser = new IceTcpPeer(tcpAddress());
        IceControllingAgent stranger = new IceControllingAgent(unknownUser.localIce, IceCredentials.random());
        Random random = new Random(6544);
        for (int i = 0; i < 8; i++) {
            byte[] big = new byte[4000];
            oversized.sendFrame(big, 0, big.length);
            byte[] junk = new byte[1 + random.nextInt(1500)];
            random.nextBytes(junk);
            junk[0] = (byte) (64 + random.nextInt(64)); // no demux class (RFC 7983)
            garbage.sendFrame(junk, 0, junk.length);
            byte[] rtp = new byte[100];
            rtp[0] = (byte) 0x80;
            rtp[1] = (byte) OPUS;
            mediaBeforeIce.sendFrame(rtp, 0, rtp.length);
            byte[] check = stranger.bindingRequest(1, true);
            unknownUser.sendFrame(check, 0, check.length);
        }

        for (IceTcpPeer bad : List.of(oversized, garbage, mediaBeforeIce, unknownUser)) {
            await().atMost(WAIT).until(bad::isClosedByPeer);
        }
        assertThat(counters.droppedTcpFrames.sum()).isGreaterThanOrEqualTo(8 + 1);
        assertThat(counters.dropped() - droppedBefore).isGreaterThanOrEqualTo(4 * 8);
        // The good connection still gets answers, and nothing went out on the bad ones.
        assertThat(good.check(agent, false, WAIT)).isInstanceOf(ClientCheckResult.Success.class);
        assertThat(good.isClosedByPeer()).isFalse();
        assertThat(http.isClosedByPeer()).as("an HTTP client waits for a frame's end or the bind timeout").isFalse();
        await().atMost(Duration.ofSeconds(15)).until(http::isClosedByPeer);
        assertThat(counters.tcpClosedByLimits.sum()).isGreaterThanOrEqualTo(1);
        assertThat(sfu.tcpConnectionCount()).isEqualTo(1);
    }

    // ---- helpers ----

    private record Publisher(ParticipantSession session, SessionDescription answer, IceCredentials sfuIce,
            DtlsFingerprint sfuFingerprint) {
    }

    private InetSocketAddress tcpAddress() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), sfu.tcpPort());
    }

    /** Joins and publishes Chromium's audio+video offer, with the peer's ICE credentials and certificate. */
    private Publisher publish(String participant, IceTcpPeer peer) throws Exception {
        peers.add(peer);
        ParticipantSession session = sfu.join("m1", participant, new RecordingListener());
        session.declareTrack(new TrackDeclaration("0", TrackKind.AUDIO, TrackSource.MICROPHONE));
        session.declareTrack(new TrackDeclaration("1", TrackKind.VIDEO, TrackSource.CAMERA));
        String offer = withTransport(fixture("publisher-offer-audio-video.sdp"), peer);
        SessionDescription answer = SdpParser.parse(session.onPublisherOffer(offer).sdpAnswer());
        MediaDescription first = answer.media().getFirst();
        return new Publisher(session, answer,
                new IceCredentials(first.iceUfrag().orElseThrow(), first.icePwd().orElseThrow()),
                DtlsFingerprint.parse(first.fingerprint().orElseThrow().algorithm() + " "
                        + first.fingerprint().orElseThrow().value()));
    }

    private void connect(IceTcpPeer peer, IceCredentials sfuIce, DtlsFingerprint sfuFingerprint) throws Exception {
        peers.add(peer);
        IceControllingAgent agent = new IceControllingAgent(peer.localIce, sfuIce);
        assertThat(peer.check(agent, true, WAIT)).isInstanceOf(ClientCheckResult.Success.class);
        peer.handshake(sfuFingerprint, WAIT);
    }

    private static String subscriberAnswer(String offer, IceTcpPeer peer) {
        return withTransport(offer, peer)
                .replace("a=setup:actpass", "a=setup:active")
                .replace("a=sendonly", "a=recvonly")
                .replace("a=ice-lite\r\n", "");
    }

    private static String withTransport(String sdp, IceTcpPeer peer) {
        DtlsFingerprint fp = peer.certificate.fingerprint();
        return sdp.replaceAll("a=ice-ufrag:\\S+", "a=ice-ufrag:" + peer.localIce.ufrag())
                .replaceAll("a=ice-pwd:\\S+", "a=ice-pwd:" + peer.localIce.password())
                .replaceAll("a=fingerprint:\\S+ \\S+", "a=fingerprint:" + fp.toSdpValue());
    }

    private static byte[] framed(byte[] packet) {
        byte[] out = new byte[packet.length + 2];
        out[0] = (byte) (packet.length >>> 8);
        out[1] = (byte) packet.length;
        System.arraycopy(packet, 0, out, 2, packet.length);
        return out;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static String fixture(String name) throws IOException {
        try (InputStream in = IceTcpTest.class.getResourceAsStream("/chromium/" + name)) {
            if (in == null) {
                throw new IOException("missing fixture " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static final class RecordingListener implements ParticipantListener {
        record Offer(String sdp, List<SubscribedTrack> tracks) {
        }

        final List<Offer> offers = new CopyOnWriteArrayList<>();

        @Override
        public void onSubscriberOffer(String sdpOffer, List<SubscribedTrack> tracks) {
            offers.add(new Offer(sdpOffer, tracks));
        }

        @Override
        public void onMediaFailed(String reason) {
        }
    }
}
