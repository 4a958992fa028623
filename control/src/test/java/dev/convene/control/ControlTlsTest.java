package dev.convene.control;

import static dev.convene.control.ControlTestSupport.KEY;
import static dev.convene.control.ControlTestSupport.NODE;
import static dev.convene.control.ControlTestSupport.WRONG_SECRET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.convene.tls.ServerTls;
import dev.convene.tls.TlsContexts;
import dev.convene.tls.TlsIdentity;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The control channel on mutual TLS plus its token: a member of the cluster connects; a plaintext
 * peer, a peer without the cluster's certificate and a peer with the wrong token are refused,
 * each with its cause counted; and a caller does not talk to an SFU without the cluster's certificate.
 */
class ControlTlsTest {

    private static final Duration DAY = Duration.ofDays(1);
    private final TlsIdentity cluster = TlsIdentity.selfSigned(List.of(), DAY, Clock.systemUTC());
    private final TlsIdentity stranger = TlsIdentity.selfSigned(List.of(), DAY, Clock.systemUTC());
    private final FakeSfuNode fake = new FakeSfuNode(NODE);
    private SfuControlServer server;
    private RemoteSfuNode remote;

    @BeforeEach
    void start() {
        server = SfuControlServer.start(fake, ControlTestSupport.serverConfig(Duration.ofSeconds(5))
                .withTls(ServerTls.of(cluster).requiringClientCertificates(cluster.chain())));
    }

    @AfterEach
    void stop() {
        if (remote != null) {
            remote.close();
        }
        server.close();
    }

    private SSLContext member() {
        return TlsContexts.trusting(cluster.chain(), cluster);
    }

    @Test
    void aMemberOfTheClusterConnectsOverWss() {
        URI url = server.url("127.0.0.1");
        assertThat(url.getScheme()).isEqualTo("wss");
        remote = RemoteSfuNode.connect(RemoteSfuConfig.of(NODE, url, "sig-1", KEY, member()));
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
                .until(() -> remote.join("m", "p1", new RecordingListener()) != null);
        assertThat(fake.sessions).hasSize(1);
        for (String cause : SfuControlServer.refusalCauses()) {
            assertThat(server.refused(cause)).as(cause).isZero();
        }
    }

    @Test
    void aPlaintextPeerIsRefusedAtTheHandshakeAndCounted() {
        URI plain = URI.create(server.url("127.0.0.1").toString().replace("wss://", "ws://"));
        assertThatThrownBy(() -> new RawControlSocket(plain, ControlTestSupport.token(NODE)).close())
                .hasRootCauseInstanceOf(java.io.IOException.class);
        await().atMost(Duration.ofSeconds(5)).until(() -> server.refused("plaintext") >= 1);
        assertThat(fake.sessions).isEmpty();
    }

    @Test
    void aPeerWithoutTheClustersCertificateIsRefusedEvenWithAValidToken() {
        for (TlsIdentity presented : new TlsIdentity[] {stranger, null}) {
            assertThatThrownBy(() -> new RawControlSocket(server.url("127.0.0.1"), ControlTestSupport.token(NODE),
                    TlsContexts.trusting(cluster.chain(), presented)).close()).isNotNull();
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> server.refused("certificate") >= 2);
        assertThat(server.refused("plaintext")).isZero();
        assertThat(fake.sessions).isEmpty();
    }

    @Test
    void aPeerWithTheCertificateButAWrongTokenIsClosedUnauthorized() throws Exception {
        String forged = new ControlTokens(List.of(WRONG_SECRET), Clock.systemUTC(), Duration.ZERO).mint("sig-x", NODE);
        try (RawControlSocket raw = new RawControlSocket(server.url("127.0.0.1"), forged, member())) {
            assertThat(raw.closeCode.get(5, TimeUnit.SECONDS)).isEqualTo(SfuControlServer.CLOSE_UNAUTHORIZED);
        }
        assertThat(server.refused("token")).isEqualTo(1);
        assertThat(fake.sessions).isEmpty();
    }

    @Test
    void aCallerRefusesAnSfuWithoutTheClustersCertificate() {
        try (SfuControlServer impostor = SfuControlServer.start(new FakeSfuNode(NODE), ControlTestSupport
                .serverConfig(Duration.ofSeconds(5)).withTls(ServerTls.of(stranger)))) {
            remote = RemoteSfuNode.connect(RemoteSfuConfig.of(NODE, impostor.url("127.0.0.1"), "sig-1", KEY, member())
                    .withCallTimeout(Duration.ofSeconds(1)));
            assertThatThrownBy(() -> remote.join("m", "p1", new RecordingListener()))
                    .isInstanceOf(SfuControlException.class);
            assertThat(remote.connected()).isFalse();
            assertThat(impostor.openConnections()).isZero();
        }
    }
}
