package dev.convene.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.convene.tls.TlsIdentity;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The TLS flags: what is on by default, what must go together, and where the control port listens. */
class TlsOptionsTest {

    @TempDir
    Path dir;

    private static TlsOptions parse(String tls, String cert, String key, String controlTls, String controlCert,
            String controlKey, String controlCa, boolean fleetRole) {
        return TlsOptions.parse(tls, cert, key, List.of("10.0.0.0/8"), controlTls, controlCert, controlKey, controlCa,
                fleetRole, List.of("meet.example.org"), Clock.systemUTC());
    }

    @Test
    void theAllInOneDefaultIsPlainHttpAndSelfSignedCarriesTheLocalNamesAndTheConfiguredOnes() {
        TlsOptions plain = parse(null, null, null, null, null, null, null, false);
        assertThat(plain.http()).isNull();
        assertThat(plain.control()).isNull();
        assertThat(plain.proxies().networks()).hasSize(1);

        TlsOptions generated = parse("self-signed", null, null, null, null, null, null, false);
        assertThat(generated.http()).isNotNull();
        assertThat(generated.selfSigned().names()).contains("meet.example.org", "localhost", "127.0.0.1");
        assertThat(TlsOptions.selfSignedNames("0.0.0.0", "https://meet.example.org:8443")).containsExactly("meet.example.org");
        assertThat(TlsOptions.selfSignedNames("10.1.2.3", null)).containsExactly("10.1.2.3");
    }

    @Test
    void badCombinationsAreRefusedAtStartWithTheFlagsNamed() {
        assertThatThrownBy(() -> parse("on", null, null, null, null, null, null, false)).hasMessageContaining("--tls");
        assertThatThrownBy(() -> parse(null, "c.pem", null, null, null, null, null, false)).hasMessageContaining("--tls-key");
        assertThatThrownBy(() -> parse(null, dir.resolve("absent.pem").toString(), dir.resolve("absent.key").toString(),
                null, null, null, null, false)).hasMessageContaining("absent.pem");
        assertThatThrownBy(() -> parse(null, null, null, "maybe", null, null, null, true)).hasMessageContaining("--control-tls");
    }

    @Test
    void fleetRolesNeedControlTlsUnlessItIsTurnedOffOutright() {
        assertThatThrownBy(() -> parse(null, null, null, null, null, null, null, true))
                .hasMessageContaining("--control-tls-cert").hasMessageContaining("--control-tls off");
        assertThat(parse(null, null, null, "off", null, null, null, true).control()).isNull();

        TlsIdentity cluster = TlsIdentity.selfSigned(List.of(), Duration.ofDays(1), Clock.systemUTC());
        Path cert = dir.resolve("cluster.pem");
        Path key = dir.resolve("cluster.key");
        cluster.writePem(cert, key);
        TlsOptions on = parse(null, null, null, null, cert.toString(), key.toString(), cert.toString(), true);
        assertThat(on.control().server().mutual()).isTrue();
        assertThat(on.control().client().getProtocol()).isEqualTo("TLSv1.3");
        assertThatThrownBy(() -> parse(null, null, null, "off", cert.toString(), key.toString(), cert.toString(), true))
                .hasMessageContaining("exclude");
    }

    @Test
    void theControlPortListensOnTheAdvertisedAddressUnlessToldOtherwise() throws IOException {
        assertThat(main(new String[] {"--role", "sfu"}).controlBindHost()).isEqualTo("127.0.0.1");
        assertThat(main(new String[] {"--role", "sfu", "--control-advertise", "10.0.0.7"}).controlBindHost()).isEqualTo("10.0.0.7");
        assertThat(main(new String[] {"--role", "sfu", "--control-host", "0.0.0.0"}).controlBindHost()).isEqualTo("0.0.0.0");
        assertThat(InetAddress.getByName(main(new String[] {}).controlBindHost()).isLoopbackAddress()).isTrue();
    }

    private static ConveneMain main(String[] args) throws IOException {
        ConveneMain main = new ConveneMain();
        CommandLine cli = new CommandLine(main);
        cli.setDefaultValueProvider(ConfigDefaults.from(args, Map.of()));
        cli.parseArgs(args);
        return main;
    }
}
