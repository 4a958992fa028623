package dev.convene.media.transport.dtls;

import dev.convene.media.transport.srtp.SrtpKeys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.convene.media.transport.dtls.DtlsCloseEvent.Cause;
import dev.convene.media.transport.dtls.DtlsHandshakeException.Reason;
import dev.convene.media.transport.srtp.SrtpProfile;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DtlsEndpointTest {

    private static final DtlsConfig SERVER = DtlsConfig.defaults(DtlsRole.SERVER);
    private static final DtlsConfig CLIENT = DtlsConfig.defaults(DtlsRole.CLIENT);

    @Test
    void handshakeOverInMemoryPipeAgreesOnProfileAndKeys() throws Exception {
        try (DtlsTestPeers peers = DtlsTestPeers.connected(SERVER, CLIENT).withCorrectFingerprints()) {
            CompletableFuture<DtlsSrtpResult> serverResult = peers.server.start();
            CompletableFuture<DtlsSrtpResult> clientResult = peers.client.start();

            DtlsSrtpResult s = serverResult.get(10, TimeUnit.SECONDS);
            DtlsSrtpResult c = clientResult.get(10, TimeUnit.SECONDS);

            // The server prefers GCM and the client offers it.
            assertThat(s.profile()).isEqualTo(SrtpProfile.AEAD_AES_128_GCM);
            assertThat(c.profile()).isEqualTo(s.profile());
            assertThat(s.isServer()).isTrue();
            assertThat(c.isServer()).isFalse();
            assertThat(s.keyingMaterial())
                    .hasSize(SrtpProfile.AEAD_AES_128_GCM.keyingMaterialLength())
                    .isEqualTo(c.keyingMaterial());
            assertThat(s.peerCertificateDer()).isEqualTo(DtlsTestPeers.CLIENT_CERT.certificateDer());
            assertThat(c.peerCertificateDer()).isEqualTo(DtlsTestPeers.SERVER_CERT.certificateDer());

            SrtpKeys sk = s.srtpKeys();
            SrtpKeys ck = c.srtpKeys();
            assertThat(sk.localMasterKey()).isEqualTo(ck.remoteMasterKey()).isNotEqualTo(sk.remoteMasterKey());
            assertThat(sk.localMasterSalt()).isEqualTo(ck.remoteMasterSalt());
            assertThat(sk.remoteMasterKey()).isEqualTo(ck.localMasterKey());
            assertThat(sk.remoteMasterSalt()).isEqualTo(ck.localMasterSalt());
            assertThat(sk.localMasterKey()).hasSize(16);
            assertThat(sk.localMasterSalt()).hasSize(12);

            assertThat(peers.server.stats().malformedDropped()).isZero();
            assertThat(peers.server.stats().datagramsSent()).isPositive();
            assertThat(peers.client.stats().datagramsReceived()).isPositive();
        }
    }

    @Test
    void fingerprintMaySetAfterTheClientCertificateArrives() throws Exception {
        try (DtlsTestPeers peers = DtlsTestPeers.connected(SERVER, CLIENT)) {
            peers.client.setRemoteFingerprint(DtlsTestPeers.SERVER_CERT.fingerprint());
            CompletableFuture<DtlsSrtpResult> serverResult = peers.server.start();
            peers.client.start();

            // ClientHello plus at least the start of the client's certificate flight.
            await().atMost(Duration.ofSeconds(5)).until(() -> peers.server.stats().datagramsReceived() >= 2);
            assertThat(serverResult).isNotDone();

            peers.server.setRemoteFingerprint(DtlsFingerprint.parse(
                    DtlsTestPeers.CLIENT_CERT.fingerprint().toSdpValue().toLowerCase()));
            assertThat(serverResult.get(10, TimeUnit.SECONDS).profile()).isEqualTo(SrtpProfile.AEAD_AES_128_GCM);
        }
    }

    @Test
    void serverRejectsClientCertificateThatDoesNotMatchSdp() {
        try (DtlsTestPeers peers = DtlsTestPeers.connected(SERVER, CLIENT)) {
            peers.server.setRemoteFingerprint(DtlsTestPeers.OTHER_CERT.fingerprint());
            peers.client.setRemoteFingerprint(DtlsTestPeers.SERVER_CERT.fingerprint());
            CompletableFuture<DtlsSrtpResult> serverResult = peers.server.start();
            CompletableFuture<DtlsSrtpResult> clientResult = peers.client.start();

            DtlsHandshakeException serverFailure = failure(serverResult);
            assertThat(serverFailure.reason()).isEqualTo(Reason.FINGERPRINT_MISMATCH);
            assertThat(serverFailure.getMessage())
                    .contains(DtlsTestPeers.CLIENT_CERT.fingerprintSha256())
                    .contains(DtlsTestPeers.OTHER_CERT.fingerprintSha256());
            DtlsHandshakeException clientFailure = failure(clientResult);
            assertThat(clientFailure.reason()).isEqualTo(Reason.PEER_ALERT);
            assertThat(clientFailure.getMessage()).contains("bad_certificate");
            assertThat(peers.server.closeFuture()).succeedsWithin(Duration.ofSeconds(5))
                    .extracting(DtlsCloseEvent::cause).isEqualTo(Cause.HANDSHAKE_FAILED);
        }
    }

    @Test
    void clientRejectsServerCertificateThatDoesNotMatchSdp() {
        try (DtlsTestPeers peers = DtlsTestPeers.connected(SERVER, CLIENT)) {
            peers.server.setRemoteFingerprint(DtlsTestPeers.CLIENT_CERT.fingerprint());
            peers.client.setRemoteFingerprint(DtlsTestPeers.OTHER_CERT.fingerprint());
            CompletableFuture<DtlsSrtpResult> serverResult = peers.server.start();
            CompletableFuture<DtlsSrtpResult> clientResult = peers.client.start();

            assertThat(failure(clientResult).reason()).isEqualTo(Reason.FINGERPRINT_MISMATCH);
            assertThat(failure(serverResult).reason()).isEqualTo(Reason.PEER_ALERT);
        }
    }

    @Test
    void clientOfferingOnlyAesCm80GetsIt() throws Exception {
        DtlsConfig cm80Only = CLIENT.withSrtpProfiles(List.of(SrtpProfile.AES_CM_128_HMAC_SHA1_80));
        try (DtlsTestPeers peers = DtlsTestPeers.connected(SERVER, cm80Only).withCorrectFingerprints()) {
            CompletableFuture<DtlsSrtpResult> serverResult = peers.server.start();
            DtlsSrtpResult c = peers.client.start().get(10, TimeUnit.SECONDS);
            DtlsSrtpResult s = serverResult.get(10, TimeUnit.SECONDS);

            assertThat(s.profile()).isEqualTo(SrtpProfile.AES_CM_128_HMAC_SHA1_80);
            assertThat(c.profile()).isEqualTo(SrtpProfile.AES_CM_128_HMAC_SHA1_80);
            assertThat(c.keyingMaterial()).hasSize(60).isEqualTo(s.keyingMaterial());
            assertThat(s.srtpKeys().localMasterSalt()).hasSize(14).isEqualTo(c.srtpKeys().remoteMasterSalt());
        }
    }

    @Test
    void serverPreferenceWinsOverClientOrder() throws Exception {
        DtlsConfig cmFirst = CLIENT.withSrtpProfiles(
                List.of(SrtpProfile.AES_CM_128_HMAC_SHA1_32, SrtpProfile.AES_CM_128_HMAC_SHA1_80));
        try (DtlsTestPeers peers = DtlsTestPeers.connected(SERVER, cmFirst).withCorrectFingerprints()) {
            peers.server.start();
            assertThat(peers.client.start().get(10, TimeUnit.SECONDS).profile())
                    .isEqualTo(SrtpProfile.AES_CM_128_HMAC_SHA1_80);
        }
    }

    @Test
    void noCommonSrtpProfileFailsOnTheServer() {
        DtlsConfig gcm256Only = CLIENT.withSrtpProfiles(List.of(SrtpProfile.AEAD_AES_256_GCM));
        try (DtlsTestPeers peers = DtlsTestPeers.connected(SERVER, gcm256Only).withCorrectFingerprints()) {
            CompletableFuture<DtlsSrtpResult> serverResult = peers.server.start();
            CompletableFuture<DtlsSrtpResult> clientResult = peers.client.start();

            DtlsHandshakeException failure = failure(serverResult);
            assertThat(failure.reason()).isEqualTo(Reason.NO_SRTP_PROFILE);
            assertThat(failure.getMessage()).contains("AEAD_AES_256_GCM");
            assertThat(failure(clientResult).reason()).isEqualTo(Reason.PEER_ALERT);
        }
    }

    @Test
    void clientTimesOutWhenServerNeverAnswers() {
        DtlsConfig shortTimeout = CLIENT.withHandshakeTimeout(Duration.ofMillis(400));
        try (DtlsEndpoint client = new DtlsEndpoint(DtlsRole.CLIENT, DtlsTestPeers.CLIENT_CERT, (d, o, l) -> { }, shortTimeout)) {
            client.setRemoteFingerprint(DtlsTestPeers.SERVER_CERT.fingerprint());
            long start = System.nanoTime();
            DtlsHandshakeException failure = failure(client.start());
            assertThat(failure.reason()).isEqualTo(Reason.TIMEOUT);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
            assertThat(client.stats().datagramsSent()).isPositive(); // It did send its ClientHello.
            assertThat(client.closeFuture()).succeedsWithin(Duration.ofSeconds(2))
                    .extracting(DtlsCloseEvent::cause).isEqualTo(Cause.HANDSHAKE_FAILED);
        }
    }

    @Test
    void serverTimesOutWithoutClientHello() {
        DtlsConfig shortTimeout = SERVER.withHandshakeTimeout(Duration.ofMillis(300));
        try (DtlsEndpoint server = new DtlsEndpoint(DtlsRole.SERVER, DtlsTestPeers.SERVER_CERT, (d, o, l) -> { }, shortTimeout)) {
            assertThat(failure(server.start()).reason()).isEqualTo(Reason.TIMEOUT);
            assertThat(server.stats().datagramsSent()).isZero();
        }
    }

    @Test
    void closeUnblocksAWaitingHandshake() {
        DtlsEndpoint server = new DtlsEndpoint(DtlsRole.SERVER, DtlsTestPeers.SERVER_CERT, (d, o, l) -> { }, SERVER);
        CompletableFuture<DtlsSrtpResult> result = server.start();
        assertThat(result).isNotDone();

        server.close();

        assertThat(failure(result).reason()).isEqualTo(Reason.CLOSED);
        assertThat(server.closeFuture()).succeedsWithin(Duration.ofSeconds(2))
                .extracting(DtlsCloseEvent::cause).isEqualTo(Cause.LOCAL_CLOSE);
        assertThatCode(() -> server.receive(new byte[20], 0, 20)).doesNotThrowAnyException();
    }

    @Test
    void closeUnblocksAHandshakeWaitingForTheSdpFingerprint() {
        try (DtlsTestPeers peers = DtlsTestPeers.connected(SERVER, CLIENT)) {
            peers.client.setRemoteFingerprint(DtlsTestPeers.SERVER_CERT.fingerprint());
            CompletableFuture<DtlsSrtpResult> serverResult = peers.server.start();
            peers.client.start();
            await().atMost(Duration.ofSeconds(5)).until(() -> peers.server.stats().datagramsReceived() >= 2);

            peers.server.close();

            assertThat(failure(serverResult).reason()).isEqualTo(Reason.CLOSED);
        }
    }

    @Test
    void closeBeforeStartFailsTheHandshakeAtOnce() {
        DtlsEndpoint server = new DtlsEndpoint(DtlsRole.SERVER, DtlsTestPeers.SERVER_CERT, (d, o, l) -> { });
        server.close();
        assertThat(failure(server.start()).reason()).isEqualTo(Reason.CLOSED);
        assertThat(server.closeFuture()).isCompleted();
    }

    @Test
    void garbageDatagramsAreDroppedAndALaterHandshakeSucceeds() throws Exception {
        try (DtlsTestPeers peers = DtlsTestPeers.connected(SERVER, CLIENT).withCorrectFingerprints()) {
            CompletableFuture<DtlsSrtpResult> serverResult = peers.server.start();
            Random random = new Random(42);
            int garbage = 0;
            for (int i = 0; i < 200; i++) {
                byte[] junk = new byte[1 + random.nextInt(1400)];
                random.nextBytes(junk);
                junk[0] = (byte) (20 + random.nextInt(44)); // What the demultiplexer routes to DTLS.
                assertThatCode(() -> peers.server.receive(junk, 0, junk.length)).doesNotThrowAnyException();
                garbage++;
            }
            // Records that look right but whose lengths lie.
            byte[] truncated = {22, (byte) 0xFE, (byte) 0xFD, 0, 0, 0, 0, 0, 0, 0, 0, 0x04, 0x00, 1, 2, 3};
            peers.server.receive(truncated, 0, truncated.length);
            peers.server.receive(truncated, 0, 5);
            byte[] empty = new byte[0];
            peers.server.receive(empty, 0, 0);
            garbage += 3;

            DtlsSrtpResult c = peers.client.start().get(10, TimeUnit.SECONDS);
            assertThat(serverResult.get(10, TimeUnit.SECONDS).keyingMaterial()).isEqualTo(c.keyingMaterial());
            assertThat(peers.server.stats().malformedDropped()).isEqualTo(garbage);
        }
    }

    @Test
    void garbageAfterTheHandshakeIsHarmless() throws Exception {
        try (DtlsTestPeers peers = DtlsTestPeers.connected(SERVER, CLIENT).withCorrectFingerprints()) {
            peers.server.start();
            peers.client.start().get(10, TimeUnit.SECONDS);
            // A well-formed record in the current epoch with a forged body: its AEAD tag fails and it is dropped.
            byte[] forged = new byte[13 + 40];
            forged[0] = 23;
            forged[1] = (byte) 0xFE;
            forged[2] = (byte) 0xFD;
            forged[4] = 1; // epoch 1
            forged[10] = 99;
            forged[12] = 40;
            long before = peers.server.stats().datagramsReceived();
            peers.server.receive(forged, 0, forged.length);
            assertThat(peers.server.stats().datagramsReceived()).isEqualTo(before + 1);

            peers.client.close();
            assertThat(peers.server.closeFuture()).succeedsWithin(Duration.ofSeconds(5))
                    .extracting(DtlsCloseEvent::cause).isEqualTo(Cause.PEER_CLOSE_NOTIFY);
        }
    }

    @Test
    void closeNotifyFromThePeerIsReported() throws Exception {
        try (DtlsTestPeers peers = DtlsTestPeers.connected(SERVER, CLIENT).withCorrectFingerprints()) {
            peers.server.start();
            peers.client.start().get(10, TimeUnit.SECONDS);
            peers.server.handshakeResult().get(10, TimeUnit.SECONDS);

            peers.server.close();

            assertThat(peers.server.closeFuture()).succeedsWithin(Duration.ofSeconds(5))
                    .extracting(DtlsCloseEvent::cause).isEqualTo(Cause.LOCAL_CLOSE);
            assertThat(peers.client.closeFuture()).succeedsWithin(Duration.ofSeconds(5))
                    .extracting(DtlsCloseEvent::cause).isEqualTo(Cause.PEER_CLOSE_NOTIFY);
        }
    }

    @Test
    void lostDatagramsAreRetransmitted() throws Exception {
        // Lose the first ClientHello and the server's first flight once each.
        try (DtlsTestPeers peers = DtlsTestPeers.withLoss(SERVER, CLIENT, i -> i == 0, i -> i == 0)
                .withCorrectFingerprints()) {
            CompletableFuture<DtlsSrtpResult> serverResult = peers.server.start();
            DtlsSrtpResult c = peers.client.start().get(10, TimeUnit.SECONDS);
            assertThat(serverResult.get(10, TimeUnit.SECONDS).keyingMaterial()).isEqualTo(c.keyingMaterial());
        }
    }

    @Test
    void aSecondDifferentFingerprintIsRefused() {
        DtlsEndpoint server = new DtlsEndpoint(DtlsRole.SERVER, DtlsTestPeers.SERVER_CERT, (d, o, l) -> { });
        server.setRemoteFingerprint(DtlsTestPeers.CLIENT_CERT.fingerprint());
        server.setRemoteFingerprint(DtlsTestPeers.CLIENT_CERT.fingerprint());
        assertThatThrownBy(() -> server.setRemoteFingerprint(DtlsTestPeers.OTHER_CERT.fingerprint()))
                .isInstanceOf(IllegalStateException.class);
        server.close();
    }

    static DtlsHandshakeException failure(CompletableFuture<?> future) {
        try {
            future.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(DtlsHandshakeException.class);
            return (DtlsHandshakeException) e.getCause();
        } catch (Exception e) {
            throw new AssertionError("handshake did not fail in time", e);
        }
        throw new AssertionError("handshake succeeded but should have failed");
    }
}
