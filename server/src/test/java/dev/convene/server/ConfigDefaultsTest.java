package dev.convene.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import dev.convene.signaling.SignalingConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Option values come from the command line, then the environment, then the file, then defaults. */
class ConfigDefaultsTest {

    @TempDir
    Path dir;

    @Test
    void flagBeatsEnvironmentBeatsFileBeatsDefault() throws IOException {
        Path file = dir.resolve("convene.properties");
        Files.writeString(file, "http-port=9001\nmedia-port=51000\nnode-id=from-file\n");
        String[] args = {"--config", file.toString(), "--node-id", "from-flag"};
        Map<String, String> env = Map.of("CONVENE_MEDIA_PORT", "52000");

        ConveneMain main = parse(args, env);

        assertThat(main.nodeId).isEqualTo("from-flag");
        assertThat(main.mediaPort).isEqualTo(52000);
        assertThat(main.httpPort).isEqualTo(9001);
        assertThat(main.mediaAdvertise).as("no default: the host's own addresses are announced").isNull();
        assertThat(main.mediaHost).isEqualTo("0.0.0.0");
        assertThat(main.consentTimeout).isEqualTo("30s");
    }

    @Test
    void severalAdvertisedAddressesAndAConsentTimeoutComeFromTheEnvironment() throws IOException {
        ConveneMain main = parse(new String[0], Map.of("CONVENE_MEDIA_ADVERTISE", "203.0.113.7,2001:db8::7",
                "CONVENE_CONSENT_TIMEOUT", "2m"));

        assertThat(main.mediaAdvertise).containsExactly("203.0.113.7", "2001:db8::7");
        assertThat(DurationOption.parse(main.consentTimeout, "--consent-timeout")).isEqualTo(java.time.Duration.ofMinutes(2));
        assertThatThrownBy(() -> DurationOption.parse("soon", "--consent-timeout"))
                .hasMessageContaining("--consent-timeout: a duration looks like 10s");
        assertThatThrownBy(() -> DurationOption.parse("500ms", "--consent-timeout")).hasMessageContaining("at least 1s");
    }

    @Test
    void mediaLoopsDefaultToOnePerProcessorAndComeFromTheEnvironment() throws IOException {
        assertThat(parse(new String[0], Map.of()).mediaLoops).as("0: one per processor").isZero();
        assertThat(parse(new String[0], Map.of("CONVENE_MEDIA_LOOPS", "4")).mediaLoops).isEqualTo(4);
        assertThat(parse(new String[] {"--media-loops", "2"}, Map.of("CONVENE_MEDIA_LOOPS", "4")).mediaLoops).isEqualTo(2);

        ServerOptions perCore = ServerOptions.forTests().withMediaLoops(0);
        assertThat(perCore.effectiveMediaLoops()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(AllInOneServer.sfuConfig(perCore).mediaLoops()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(AllInOneServer.sfuConfig(ServerOptions.forTests()).mediaLoops()).isEqualTo(1);
        assertThatThrownBy(() -> ServerOptions.forTests().withMediaLoops(-1)).hasMessageContaining("--media-loops");
    }

    @Test
    void configFileCanComeFromTheEnvironment() throws IOException {
        Path file = dir.resolve("c.properties");
        Files.writeString(file, "guest-auth=false\n");

        ConveneMain main = parse(new String[0], Map.of("CONVENE_CONFIG", file.toString()));

        assertThat(main.guestAuth).isFalse();
    }

    @Test
    void guestAuthIsOnlyOnByDefaultInTheAllInOneRole() throws IOException {
        assertThat(parse(new String[0], Map.of()).guestAuthEnabled()).isTrue();
        assertThat(parse(new String[] {"--role", "signaling"}, Map.of()).guestAuthEnabled()).isFalse();
        assertThat(parse(new String[] {"--role", "signaling", "--guest-auth", "true"}, Map.of()).guestAuthEnabled()).isTrue();
        assertThat(parse(new String[] {"--guest-auth", "false"}, Map.of()).guestAuthEnabled()).isFalse();
    }

    @Test
    void hardeningFlagsReachTheSignalingConfig() throws IOException {
        ConveneMain main = parse(new String[] {"--seat-claim-timeout", "5s", "--max-unclaimed-seats", "2",
                "--token-max-lifetime", "2h", "--jwt-audience", "meet", "--allowed-origins", "https://a.example,https://b.example",
                "--http-max-threads", "32", "--http-accept-queue", "4096", "--empty-meeting-timeout", "90s"},
                Map.of("CONVENE_LIMIT_GUEST_PER_ADDRESS", "5/1m"));
        SignalingConfig.Hardening h = main.hardening();
        assertThat(h.claimWithin()).isEqualTo(Duration.ofSeconds(5));
        assertThat(h.maxUnclaimedPerHolder()).isEqualTo(2);
        assertThat(h.tokenPolicy().maxLifetime()).isEqualTo(Duration.ofHours(2));
        assertThat(h.tokenPolicy().audience()).isEqualTo("meet");
        assertThat(h.tokenPolicy().issuer()).isEqualTo("convene");
        assertThat(h.allowedOrigins()).containsExactly("https://a.example", "https://b.example");
        assertThat(h.http().maxThreads()).isEqualTo(32);
        assertThat(h.http().acceptQueue()).isEqualTo(4096);
        assertThat(h.emptyMeetingTimeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(h.guestPerAddress().capacity()).isEqualTo(5);

        SignalingConfig defaults = SignalingRoleServer.signalingConfig(ServerOptions.forTests());
        assertThat(defaults.hardening()).isEqualTo(SignalingConfig.Hardening.DEFAULTS);
    }

    @Test
    void environmentNamesFollowTheFlag() {
        assertThat(ConfigDefaults.environmentName("--media-advertise")).isEqualTo("CONVENE_MEDIA_ADVERTISE");
    }

    private static ConveneMain parse(String[] args, Map<String, String> env) throws IOException {
        ConveneMain main = new ConveneMain();
        CommandLine cli = new CommandLine(main);
        cli.setDefaultValueProvider(ConfigDefaults.from(args, env));
        cli.parseArgs(args);
        return main;
    }

    @Test
    void resumeGraceIsThirtySecondsByDefaultAndZeroTurnsItOff() throws Exception {
        assertThat(parse(new String[] {}, Map.of()).resumeGrace()).isEqualTo(java.time.Duration.ofSeconds(30));
        assertThat(parse(new String[] {"--resume-grace", "4s"}, Map.of()).resumeGrace()).isEqualTo(java.time.Duration.ofSeconds(4));
        assertThat(parse(new String[] {"--resume-grace", "0"}, Map.of()).resumeGrace()).isZero();
        assertThatThrownBy(() -> parse(new String[] {"--resume-grace", "soon"}, Map.of()).resumeGrace())
                .hasMessageContaining("--resume-grace");
    }
}
