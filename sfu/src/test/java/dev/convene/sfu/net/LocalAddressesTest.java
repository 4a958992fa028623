package dev.convene.sfu.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which host addresses the wildcard media port listens on and announces. */
class LocalAddressesTest {

    @Test
    void routableAddressesOnlyIpv6GlobalThenIpv4ThenUniqueLocalNoLinkLocalNoLoopback() throws Exception {
        List<InetAddress> usable = LocalAddresses.usable(List.of(
                ip("127.0.0.1"), ip("::1"), ip("fe80::1"), ip("169.254.3.4"), ip("fd12:3456::9"),
                ip("10.0.0.7"), ip("2001:db8::7"), ip("192.168.1.9"), ip("10.0.0.7"), ip("224.0.0.1")));

        assertThat(usable).containsExactly(ip("2001:db8::7"), ip("10.0.0.7"), ip("192.168.1.9"), ip("fd12:3456::9"));
    }

    @Test
    void loopbackOnlyWhenItIsAllTheHostHas() throws Exception {
        assertThat(LocalAddresses.usable(List.of(ip("127.0.0.1"), ip("fe80::1"), ip("::1"))))
                .containsExactly(ip("127.0.0.1"), ip("::1"));
        assertThat(LocalAddresses.usable(List.of())).isEmpty();
    }

    @Test
    void thisHostHasAtLeastOneUsableAddressAndNoLinkLocalOne() {
        assertThat(LocalAddresses.ofThisHost()).isNotEmpty().noneMatch(InetAddress::isLinkLocalAddress);
    }

    private static InetAddress ip(String literal) throws UnknownHostException {
        return InetAddress.getByName(literal);
    }
}
