package dev.convene.sfu.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Real UDP on loopback: 127.0.0.1 and 127.0.0.2 are two local addresses of every Linux host. */
class MediaSocketTest {

    @Test
    void everyReplyLeavesFromTheAddressItsRequestReached() throws Exception {
        List<InetAddress> local = List.of(InetAddress.getByName("127.0.0.1"), InetAddress.getByName("127.0.0.2"));
        MediaSocket.DatagramSink echo = (buf, len, from, via) -> via.send(buf, 0, len, from);
        try (MediaSocket socket = MediaSocket.bind(local, 0, echo); DatagramSocket client = new DatagramSocket(0,
                InetAddress.getByName("127.0.0.1"))) {
            client.setSoTimeout(5000);
            assertThat(socket.endpoints()).extracting(e -> e.localAddress().getPort()).containsOnly(socket.port());
            for (InetAddress target : local) {
                byte[] hello = ("hello " + target.getHostAddress()).getBytes(StandardCharsets.US_ASCII);
                client.send(new DatagramPacket(hello, hello.length, new InetSocketAddress(target, socket.port())));
                DatagramPacket reply = new DatagramPacket(new byte[100], 100);
                client.receive(reply);

                assertThat(reply.getAddress()).as("reply to a datagram sent to %s", target).isEqualTo(target);
                assertThat(reply.getPort()).isEqualTo(socket.port());
                assertThat(new String(reply.getData(), 0, reply.getLength(), StandardCharsets.US_ASCII))
                        .isEqualTo("hello " + target.getHostAddress());
            }
        }
    }

    @Test
    void aSendFromAnotherEndpointOnTheLoopIsFlushedWithoutWaitingForTraffic() throws Exception {
        List<InetAddress> local = List.of(InetAddress.getByName("127.0.0.1"), InetAddress.getByName("127.0.0.2"));
        MediaSocket[] self = new MediaSocket[1];
        // A datagram reaching the first address is forwarded out of the second, as a packet from a
        // publisher on one address goes to a subscriber on another.
        MediaSocket.DatagramSink forward = (buf, len, from, via) -> self[0].endpoints().get(1).send(buf, 0, len, from);
        try (MediaSocket socket = MediaSocket.bind(local, 0, forward); DatagramSocket client = new DatagramSocket(0,
                InetAddress.getByName("127.0.0.1"))) {
            self[0] = socket;
            client.setSoTimeout(5000);
            byte[] hello = "forward me".getBytes(StandardCharsets.US_ASCII);
            client.send(new DatagramPacket(hello, hello.length, new InetSocketAddress(local.get(0), socket.port())));
            DatagramPacket reply = new DatagramPacket(new byte[100], 100);
            client.receive(reply);

            assertThat(reply.getAddress()).isEqualTo(local.get(1));
        }
    }

    @Test
    void aTakenPortFailsLoudlyButAnUnusableListedAddressIsSkippedWhenAskedTo() throws Exception {
        MediaSocket.DatagramSink ignore = (buf, len, from, via) -> { };
        InetAddress one = InetAddress.getByName("127.0.0.1");
        // 192.0.2.1 (TEST-NET-1) is on no interface of this host: it cannot be bound.
        InetAddress absent = InetAddress.getByName("192.0.2.1");
        try (MediaSocket first = MediaSocket.bind(List.of(one), 0, ignore)) {
            assertThatThrownBy(() -> MediaSocket.bind(List.of(one), first.port(), ignore, true))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("127.0.0.1:" + first.port());
        }
        assertThatThrownBy(() -> MediaSocket.bind(List.of(one, absent), 0, ignore))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("192.0.2.1");
        try (MediaSocket lenient = MediaSocket.bind(List.of(absent, one), 0, ignore, true)) {
            assertThat(lenient.endpoints()).extracting(e -> e.localAddress().getAddress()).containsExactly(one);
        }
    }

    @Test
    void anOversizedDatagramIsMarkedSoTheSinkDropsIt() throws Exception {
        AtomicInteger seen = new AtomicInteger();
        MediaSocket.DatagramSink sink = (buf, len, from, via) -> {
            seen.set(len);
            via.send(buf, 0, Math.min(len, 4), from);
        };
        InetAddress one = InetAddress.getByName("127.0.0.1");
        try (MediaSocket socket = MediaSocket.bind(List.of(one), 0, sink); DatagramSocket client = new DatagramSocket(0, one)) {
            // Netty's channel (the fallback) reads into 2,048 bytes and hands on a truncated datagram,
            // which then fails SRTP or parsing; our socket reads one byte more and marks it.
            assumeTrue(socket.batchedNativeIo(), "the FFM media socket (JDK 22+, epoll)");
            client.setSoTimeout(5000);
            byte[] big = new byte[MediaSocket.MAX_DATAGRAM + 500];
            client.send(new DatagramPacket(big, big.length, new InetSocketAddress(one, socket.port())));
            client.receive(new DatagramPacket(new byte[100], 100));

            assertThat(seen.get()).isEqualTo(MediaSocket.MAX_DATAGRAM + 1);
        }
    }

    /**
     * The media port's share of issue 16's zero-allocation goal, without the rest of the SFU: two
     * peers' datagrams echoed in bursts allocate nothing on the loop once warm (ADR 0027). Netty's
     * channel (the fallback) allocates ~100 bytes a datagram here, so the test needs the FFM socket.
     */
    @Test
    void echoingDatagramsAllocatesNothingOnTheLoopOnceWarm() throws Exception {
        assumeTrue(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadAllocatedMemorySupported());
        threads.setThreadAllocatedMemoryEnabled(true);
        InetAddress one = InetAddress.getByName("127.0.0.1");
        MediaSocket.DatagramSink echo = (buf, len, from, via) -> via.send(buf, 0, len, from);
        try (MediaSocket socket = MediaSocket.bind(List.of(one), 0, echo); DatagramSocket a = new DatagramSocket(0, one);
                DatagramSocket b = new DatagramSocket(0, one)) {
            assumeTrue(socket.batchedNativeIo(), "the FFM media socket (JDK 22+, epoll)");
            a.setSoTimeout(5000);
            b.setSoTimeout(5000);
            long loopThread = socket.loop().submit(() -> Thread.currentThread().threadId()).get();
            InetSocketAddress to = new InetSocketAddress(one, socket.port());

            echoBursts(a, b, to, 1_500);
            long before = threads.getThreadAllocatedBytes(loopThread);
            int datagrams = echoBursts(a, b, to, 250);
            long allocated = threads.getThreadAllocatedBytes(loopThread) - before;

            assertThat((double) allocated / datagrams).as("bytes per datagram (%d in all for %d)", allocated, datagrams)
                    .isLessThan(1);
        }
    }

    /** Bursts of 8 datagrams from each of two peers, then their echoes; returns the datagrams echoed. */
    private static int echoBursts(DatagramSocket a, DatagramSocket b, InetSocketAddress to, int bursts) throws Exception {
        byte[] payload = new byte[1_100];
        DatagramPacket out = new DatagramPacket(payload, payload.length, to);
        DatagramPacket in = new DatagramPacket(new byte[2_048], 2_048);
        for (int i = 0; i < bursts; i++) {
            for (int k = 0; k < 8; k++) {
                payload[0] = (byte) k;
                a.send(out);
                b.send(out);
            }
            for (int k = 0; k < 8; k++) {
                a.receive(in);
                b.receive(in);
            }
        }
        return bursts * 16;
    }
}
