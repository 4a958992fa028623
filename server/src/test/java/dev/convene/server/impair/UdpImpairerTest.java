package dev.convene.server.impair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The relay on loopback: seeded loss, delay and the STUN/DTLS pass-through, measured with an echo socket. */
@Timeout(30)
class UdpImpairerTest {

    @Test
    void dropsMediaAtTheSeededRateDelaysItAndPassesHandshakes() throws Exception {
        try (DatagramChannel server = DatagramChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                DatagramChannel client = DatagramChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                UdpImpairer relay = UdpImpairer.start((InetSocketAddress) server.getLocalAddress(),
                        UdpImpairer.Impairment.loss(0.1), UdpImpairer.Impairment.none().withDelay(Duration.ofMillis(40)), 42)) {
            client.connect(relay.address());
            byte[] rtp = new byte[100];
            rtp[0] = (byte) 0x80;
            byte[] stun = new byte[20];
            for (int i = 0; i < 1000; i++) {
                client.write(ByteBuffer.wrap(rtp));
                client.write(ByteBuffer.wrap(stun));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> relay.uplink().relayed() + relay.uplink().dropped() == 2000);
            assertThat(relay.uplink().dropped()).as("10 %% of 1000 media datagrams, seeded").isBetween(70L, 130L);
            assertThat(relay.uplink().mediaIn()).isEqualTo(1000);

            server.configureBlocking(true);
            ByteBuffer buf = ByteBuffer.allocate(200);
            InetSocketAddress relayBack = (InetSocketAddress) server.receive(buf);
            long sent = System.nanoTime();
            server.send(ByteBuffer.wrap(rtp), relayBack);
            buf.clear();
            client.read(buf);
            long elapsedMillis = (System.nanoTime() - sent) / 1_000_000;
            assertThat(elapsedMillis).as("the downlink's delay").isBetween(39L, 1000L);
            assertThat(relay.downlink().relayed()).isEqualTo(1);
        }
    }

    @Test
    void sameSeedSameLosses() throws Exception {
        List<Long> drops = new ArrayList<>();
        for (int run = 0; run < 2; run++) {
            try (DatagramChannel server = DatagramChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                    DatagramChannel client = DatagramChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                    UdpImpairer relay = UdpImpairer.start((InetSocketAddress) server.getLocalAddress(),
                            UdpImpairer.Impairment.loss(0.3), UdpImpairer.Impairment.none(), 7)) {
                client.connect(relay.address());
                byte[] rtp = new byte[50];
                rtp[0] = (byte) 0x80;
                for (int i = 0; i < 300; i++) {
                    client.write(ByteBuffer.wrap(rtp));
                }
                await().atMost(Duration.ofSeconds(10)).until(() -> relay.uplink().relayed() + relay.uplink().dropped() == 300);
                drops.add(relay.uplink().dropped());
            }
        }
        assertThat(drops.get(0)).isEqualTo(drops.get(1)).isBetween(60L, 120L);
    }
}
