package dev.convene.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.convene.client.ConveneApi;
import dev.convene.client.ConveneClient;
import dev.convene.client.MeetingInfo;
import dev.convene.tls.TlsContexts;
import dev.convene.tls.TlsIdentity;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java client over HTTPS and WSS against a server started with {@code --tls-cert}/{@code --tls-key}:
 * pinned to the server's certificate it meets and exchanges media; pinned to another it cannot even
 * get a token.
 */
class JavaClientTlsTest {

    @TempDir
    Path dir;

    @Test
    void twoClientsPinnedToTheServersCertificateMeetOverWss() throws Exception {
        TlsIdentity identity = TlsIdentity.selfSigned(List.of(), Duration.ofDays(1), Clock.systemUTC());
        Path cert = dir.resolve("server.pem");
        Path key = dir.resolve("server.key");
        identity.writePem(cert, key);
        TlsOptions tls = TlsOptions.parse("off", cert.toString(), key.toString(), List.of(), null, null, null, null, false,
                List.of(), Clock.systemUTC());
        try (AllInOneServer server = AllInOneServer.start(ServerOptions.forTests().withTls(tls))) {
            URI base = URI.create(server.webUrl());
            assertThat(base.getScheme()).isEqualTo("https");

            ConveneApi stranger = ConveneApi.overTls(base, TlsContexts.pinned(
                    TlsIdentity.selfSigned(List.of(), Duration.ofDays(1), Clock.systemUTC()).certificate()));
            assertThatThrownBy(() -> stranger.guestToken("Mallory")).hasRootCauseInstanceOf(java.security.cert.CertificateException.class);

            ConveneApi api = ConveneApi.overTls(base, TlsContexts.pinned(identity.certificate()));
            MeetingInfo meeting = api.createMeeting(api.guestToken("Host").accessToken(), "over TLS");
            try (ConveneClient ada = ConveneClient.join(api, api.guestToken("Ada").accessToken(), meeting.meetingId(), "Ada",
                    ConveneClient.Options.defaults());
                    ConveneClient grace = ConveneClient.join(api, api.guestToken("Grace").accessToken(), meeting.meetingId(),
                            "Grace", ConveneClient.Options.defaults())) {
                assertThat(ada.grant().socketUri().getScheme()).isEqualTo("wss");
                ada.publish();
                grace.publish();
                await("media both ways over a wss-signalled session").atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                    assertThat(ada.received(grace.participantId(), "video").packets()).isGreaterThan(20);
                    assertThat(grace.received(ada.participantId(), "audio").packets()).isGreaterThan(20);
                });
                ada.sendChat("sealed");
                await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                        assertThat(grace.chatMessages()).anyMatch(m -> m.text().equals("sealed")));
            }
        }
    }
}
