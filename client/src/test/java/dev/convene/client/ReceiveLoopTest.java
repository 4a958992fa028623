package dev.convene.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ReceiveLoopTest {

    private static DatagramChannel bound() throws IOException {
        return DatagramChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    /** Reads one datagram per call, counting it; optionally throws on every read. */
    private static ReceiveLoop.Reader counting(DatagramChannel ch, AtomicInteger count, boolean fail) {
        ByteBuffer bb = ByteBuffer.allocate(2048);
        return () -> {
            try {
                bb.clear();
                if (ch.receive(bb) == null) {
                    return false;
                }
            } catch (IOException e) {
                return false;
            }
            count.incrementAndGet();
            if (fail) {
                throw new IllegalStateException("a transport's bug");
            }
            return true;
        };
    }

    @Test
    void oneThreadReadsEverySocketAndOneFailingReaderStopsNoOther() throws IOException {
        try (ReceiveLoop loop = new ReceiveLoop("test-receive");
                DatagramChannel a = bound(); DatagramChannel b = bound(); DatagramChannel sender = bound()) {
            AtomicInteger aCount = new AtomicInteger();
            AtomicInteger bCount = new AtomicInteger();
            loop.register(a, counting(a, aCount, false));
            loop.register(b, counting(b, bCount, true));
            assertThat(a.isBlocking()).isFalse();
            // More than one turn's worth, so the loop must come back to a socket it left unread.
            int sent = ReceiveLoop.READS_PER_TURN * 3;
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                for (int i = 0; i < 10; i++) {
                    sender.send(ByteBuffer.wrap(new byte[] {1, 2, 3}), a.getLocalAddress());
                    sender.send(ByteBuffer.wrap(new byte[] {4}), b.getLocalAddress());
                }
                assertThat(aCount.get()).isGreaterThanOrEqualTo(sent);
                assertThat(bCount.get()).isGreaterThanOrEqualTo(sent);
            });
        }
    }

    @Test
    void aSocketClosedBeforeItsFirstReadAndTheLoopClosedWhileWaitingEndQuietly() throws IOException {
        ReceiveLoop loop = new ReceiveLoop("test-receive-close");
        DatagramChannel ch = bound();
        ch.close();
        // register() switches the mode first, which a closed channel refuses: the caller learns it.
        try {
            loop.register(ch, () -> false);
        } catch (IOException expected) {
            // as a transport closed while connecting would
        }
        DatagramChannel open = bound();
        AtomicInteger count = new AtomicInteger();
        loop.register(open, counting(open, count, false));
        loop.close();
        open.close();
        assertThat(Thread.getAllStackTraces().keySet().stream().map(Thread::getName))
                .doesNotContain("test-receive-close");
    }
}
