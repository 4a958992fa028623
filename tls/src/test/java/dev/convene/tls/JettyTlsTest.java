package dev.convene.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real Jetty on loopback with {@link JettyTls}: certificates served, reloaded, and refusals counted. */
class JettyTlsTest {

    private static final Duration YEAR = Duration.ofDays(365);

    @TempDir
    Path dir;

    private Server server;
    private JettyTls tls;
    private final List<String> refusals = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.stop();
        }
        if (tls != null) {
            tls.close();
        }
    }

    private int start(ServerTls config) throws Exception {
        tls = JettyTls.start("test", config, (cause, remote, detail) -> refusals.add(cause.label() + " " + remote), null);
        server = new Server();
        ServerConnector connector = tls.connector(server, new HttpConfiguration());
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                response.getHeaders().put("Content-Type", "text/plain");
                Content.Sink.write(response, true, request.getHttpURI().getScheme() + " " + request.isSecure(), callback);
                return true;
            }
        });
        server.start();
        return connector.getLocalPort();
    }

    private static X509Certificate served(SSLContext context, int port) throws IOException {
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port)) {
            socket.startHandshake();
            return (X509Certificate) socket.getSession().getPeerCertificates()[0];
        }
    }

    @Test
    void servesHttpsToAClientPinnedToTheCertificate() throws Exception {
        TlsIdentity identity = TlsIdentity.selfSigned(List.of("convene.test"), YEAR, Clock.systemUTC());
        int port = start(ServerTls.of(identity));

        HttpClient client = HttpClient.newBuilder().sslContext(TlsContexts.pinned(identity.certificate())).build();
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.body()).isEqualTo("https true");

        // The same server under another key is not the pinned one.
        TlsIdentity other = TlsIdentity.selfSigned(List.of("convene.test"), YEAR, Clock.systemUTC());
        HttpClient wrong = HttpClient.newBuilder().sslContext(TlsContexts.pinned(other.certificate())).build();
        assertThatThrownBy(() -> wrong.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/")).build(),
                HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);
    }

    @Test
    void aTrustStoreClientChecksTheHostName() throws Exception {
        TlsIdentity identity = TlsIdentity.selfSigned(List.of(), YEAR, Clock.systemUTC());
        int port = start(ServerTls.of(identity));
        HttpClient client = HttpClient.newBuilder().sslContext(TlsContexts.trusting(identity.chain(), null)).build();

        assertThat(client.send(HttpRequest.newBuilder(URI.create("https://localhost:" + port + "/")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        // 127.0.0.2 is loopback too, but not a name the certificate lists.
        assertThatThrownBy(() -> client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.2:" + port + "/")).build(),
                HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);
    }

    @Test
    void changedPemFilesAreServedToNewConnectionsAndABrokenFileKeepsTheOldCertificate() throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        TlsIdentity first = TlsIdentity.selfSigned(List.of("first.test"), YEAR, Clock.systemUTC());
        first.writePem(cert, key);
        int port = start(ServerTls.pemFiles(cert, key));
        SSLContext trustAll = TlsContexts.trusting(List.of(first.certificate(), secondCertificate()), null);

        assertThat(served(trustAll, port)).isEqualTo(first.certificate());
        assertThat(tls.reloadIfChanged()).isFalse();

        second.writePem(cert, key);
        assertThat(tls.reloadIfChanged()).isTrue();
        assertThat(served(trustAll, port)).isEqualTo(second.certificate());
        assertThat(tls.current().sha256Fingerprint()).isEqualTo(second.sha256Fingerprint());

        Files.writeString(key, "-----BEGIN PRIVATE KEY-----\nbroken\n-----END PRIVATE KEY-----\n");
        assertThat(tls.reloadIfChanged()).isFalse();
        assertThat(served(trustAll, port)).isEqualTo(second.certificate());

        // A key that belongs to another certificate is refused as well.
        first.writePem(dir.resolve("other-cert.pem"), key);
        assertThat(tls.reloadIfChanged()).isFalse();
        assertThat(served(trustAll, port)).isEqualTo(second.certificate());
    }

    private final TlsIdentity second = TlsIdentity.selfSigned(List.of("second.test"), YEAR, Clock.systemUTC());

    private X509Certificate secondCertificate() {
        return second.certificate();
    }

    @Test
    void aPlaintextPeerIsRefusedAndCounted() throws Exception {
        int port = start(ServerTls.of(TlsIdentity.selfSigned(List.of(), YEAR, Clock.systemUTC())));
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(5_000);
            OutputStream out = socket.getOutputStream();
            out.write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] answer = in.readNBytes(64);
            assertThat(new String(answer, StandardCharsets.ISO_8859_1)).doesNotContain("101").doesNotContain("200");
        }
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(tls.refused(JettyTls.Refusal.PLAINTEXT)).isEqualTo(1);
            assertThat(refusals).singleElement().asString().startsWith("plaintext 127.0.0.1:");
        });
    }

    @Test
    void mutualTlsRefusesAClientWithoutOrWithAWrongCertificate() throws Exception {
        TlsIdentity cluster = TlsIdentity.selfSigned(List.of(), YEAR, Clock.systemUTC());
        int port = start(ServerTls.of(cluster).requiringClientCertificates(cluster.chain()));

        HttpClient member = HttpClient.newBuilder().sslContext(TlsContexts.trusting(cluster.chain(), cluster)).build();
        assertThat(member.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);

        TlsIdentity stranger = TlsIdentity.selfSigned(List.of(), YEAR, Clock.systemUTC());
        for (TlsIdentity presented : new TlsIdentity[] {stranger, null}) {
            HttpClient client = HttpClient.newBuilder().sslContext(TlsContexts.trusting(cluster.chain(), presented)).build();
            assertThatThrownBy(() -> client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/")).build(),
                    HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);
        }
        // java.net.http tries a refused connection more than once, so at least one refusal per client.
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(tls.refused(JettyTls.Refusal.CERTIFICATE)).isGreaterThanOrEqualTo(2));
        assertThat(tls.refused(JettyTls.Refusal.PLAINTEXT)).isZero();
    }

    @Test
    void pemFilesRoundTripAndAMismatchedKeyIsRefusedAtStart() {
        TlsIdentity a = TlsIdentity.selfSigned(List.of("meet.example.org", "10.0.0.7"), YEAR, Clock.systemUTC());
        TlsIdentity b = TlsIdentity.selfSigned(List.of(), YEAR, Clock.systemUTC());
        a.writePem(dir.resolve("a.pem"), dir.resolve("a.key"));
        b.writePem(dir.resolve("b.pem"), dir.resolve("b.key"));

        TlsIdentity read = TlsIdentity.readPem(dir.resolve("a.pem"), dir.resolve("a.key"));
        assertThat(read.certificate()).isEqualTo(a.certificate());
        assertThat(read.spkiSha256Base64()).isEqualTo(a.spkiSha256Base64()).hasSize(44);
        assertThat(read.sha256Fingerprint()).matches("([0-9A-F]{2}:){31}[0-9A-F]{2}");
        assertThatThrownBy(() -> TlsIdentity.readPem(dir.resolve("a.pem"), dir.resolve("b.key")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not belong");
        assertThatThrownBy(() -> TlsIdentity.readPem(dir.resolve("missing.pem"), dir.resolve("a.key")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("missing.pem");
    }
}
