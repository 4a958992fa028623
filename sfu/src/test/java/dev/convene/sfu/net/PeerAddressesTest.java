package dev.convene.sfu.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class PeerAddressesTest {

    private final PeerAddresses peers = new PeerAddresses();

    @Test
    void aSenderIsNamedByOneObjectForAllItsDatagrams() throws Exception {
        int ip = ByteBuffer.wrap(InetAddress.getByName("192.0.2.7").getAddress()).getInt();

        InetSocketAddress first = peers.ipv4(ip, 40_000);

        assertThat(first).isEqualTo(new InetSocketAddress("192.0.2.7", 40_000));
        assertThat(peers.ipv4(ip, 40_000)).isSameAs(first);
        assertThat(peers.ipv4(ip, 40_001)).isNotEqualTo(first).isEqualTo(new InetSocketAddress("192.0.2.7", 40_001));
        assertThat(peers.ipv4(0xFFFF_FFFE, 65_535)).isEqualTo(new InetSocketAddress("255.255.255.254", 65_535));
    }

    @Test
    void ipv6SendersKeepTheirScope() throws Exception {
        byte[] b = InetAddress.getByName("2001:db8::1:2").getAddress();
        ByteBuffer bytes = ByteBuffer.wrap(b);
        long hi = bytes.getLong();
        long lo = bytes.getLong();

        InetSocketAddress global = peers.ipv6(hi, lo, 0, 5000);
        InetSocketAddress scoped = peers.ipv6(hi, lo, 3, 5000);

        assertThat(global).isEqualTo(new InetSocketAddress("2001:db8::1:2", 5000));
        assertThat(((Inet6Address) scoped.getAddress()).getScopeId()).isEqualTo(3);
        assertThat(peers.ipv6(hi, lo, 0, 5000)).isSameAs(global);
    }

    @Test
    void aDestinationIsEncodedAsTheSocketWritesIt() throws Exception {
        InetSocketAddress v4 = new InetSocketAddress("198.51.100.9", 9);
        InetSocketAddress v6 = new InetSocketAddress("2001:db8::ff", 9);

        int s4 = peers.encode(v4);
        assertThat(peers.encodedFamily(s4)).isEqualTo(PeerAddresses.IPV4);
        assertThat(peers.encodedLo(s4)).isEqualTo(0xC633_6409L);
        int s6 = peers.encode(v6);
        assertThat(peers.encodedFamily(s6)).isEqualTo(PeerAddresses.IPV6);
        assertThat(peers.encodedHi(s6)).isEqualTo(0x2001_0db8_0000_0000L);
        assertThat(peers.encodedLo(s6)).isEqualTo(0xffL);
        assertThat(peers.encode(v4)).isEqualTo(s4);
    }

    @Test
    void aFloodOfSpoofedSendersReplacesEntriesAndStillNamesEachCorrectly() {
        for (int i = 0; i < PeerAddresses.SLOTS * 4; i++) {
            assertThat(peers.ipv4(0x0A00_0000 | i, 1000 + (i & 0xFFF)).getPort()).isEqualTo(1000 + (i & 0xFFF));
        }
        InetSocketAddress last = peers.ipv4(0x0A00_0000 | 5, 1005);
        assertThat(last.getAddress().getHostAddress()).isEqualTo("10.0.0.5");
        assertThat(peers.ipv4(0x0A00_0000 | 5, 1005)).isSameAs(last);
    }
}
