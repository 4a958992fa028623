package dev.convene.signaling.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.junit.jupiter.api.Test;

/**
 * The socket's outbox against a fake Jetty session (a proxy recording writes): order per sender,
 * one write at a time, the close behind the frames before it, the 1008 close of a reader that
 * stopped reading, and no writer thread left once the queue is empty.
 */
class OutboxTest {

    /** A session whose writes complete at once, or, while {@link #hold} is set, when released. */
    static final class FakeSession {
        final ConcurrentLinkedQueue<String> written = new ConcurrentLinkedQueue<>();
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger maxInFlight = new AtomicInteger();
        final AtomicReference<String> closed = new AtomicReference<>();
        final AtomicInteger disconnects = new AtomicInteger();
        volatile CountDownLatch hold;
        final Session session = (Session) Proxy.newProxyInstance(Session.class.getClassLoader(),
                new Class<?>[] {Session.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "isOpen" -> closed.get() == null;
                    case "sendText" -> {
                        maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                        written.add((String) args[0]);
                        CountDownLatch h = hold;
                        Callback done = (Callback) args[1];
                        if (h == null) {
                            inFlight.decrementAndGet();
                            done.succeed();
                        } else {
                            Thread.ofVirtual().start(() -> {
                                try {
                                    h.await();
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                }
                                inFlight.decrementAndGet();
                                done.succeed();
                            });
                        }
                        yield null;
                    }
                    case "close" -> {
                        closed.set(args[0] + " " + args[1]);
                        ((Callback) args[2]).succeed();
                        yield null;
                    }
                    case "disconnect" -> {
                        disconnects.incrementAndGet();
                        yield null;
                    }
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    case "toString" -> "FakeSession";
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    @Test
    void framesOfManySendersArriveInEachSendersOrderOneWriteAtATime() throws Exception {
        FakeSession fake = new FakeSession();
        Outbox outbox = new Outbox(fake.session, "WS_test");
        int senders = 8;
        int each = 100;
        List<Thread> threads = new ArrayList<>();
        for (int s = 0; s < senders; s++) {
            int sender = s;
            threads.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < each; i++) {
                    outbox.send(sender + ":" + i);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> fake.written.size() == senders * each);
        int[] next = new int[senders];
        for (String frame : fake.written) {
            int sender = Integer.parseInt(frame.substring(0, frame.indexOf(':')));
            assertThat(Integer.parseInt(frame.substring(frame.indexOf(':') + 1))).as("frame of sender %d", sender)
                    .isEqualTo(next[sender]++);
        }
        assertThat(fake.maxInFlight.get()).as("writes in flight at once").isEqualTo(1);
        await("the writer ends at an empty queue").atMost(Duration.ofSeconds(5)).until(() -> !outbox.writerRunning());

        // A later burst starts a writer again.
        outbox.send("again");
        await().atMost(Duration.ofSeconds(5)).until(() -> fake.written.contains("again"));
        await().atMost(Duration.ofSeconds(5)).until(() -> !outbox.writerRunning());
    }

    @Test
    void aCloseGoesBehindTheFramesBeforeItAndNothingAfterIt() {
        FakeSession fake = new FakeSession();
        Outbox outbox = new Outbox(fake.session, "WS_test");
        fake.hold = new CountDownLatch(1);
        outbox.send("one");
        outbox.send("error");
        outbox.close(4401, "bad token");
        outbox.send("after the close");
        outbox.close(1000, "second close");
        fake.hold.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> fake.closed.get() != null);
        assertThat(fake.written).containsExactly("one", "error");
        assertThat(fake.closed.get()).isEqualTo("4401 bad token");
        assertThat(outbox.closing()).isTrue();
    }

    @Test
    void aReaderThatStopsReadingIsClosed1008AndItsBacklogDropped() {
        FakeSession fake = new FakeSession();
        Outbox outbox = new Outbox(fake.session, "WS_test");
        fake.hold = new CountDownLatch(1);
        outbox.send("first");
        await().atMost(Duration.ofSeconds(5)).until(() -> fake.inFlight.get() == 1);
        // The queue holds CAPACITY frames and the close's slot: one more overflows it.
        for (int i = 0; i < Outbox.CAPACITY + 2; i++) {
            outbox.send("backlog " + i);
        }
        assertThat(outbox.closing()).as("overflowed").isTrue();
        fake.hold.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> fake.closed.get() != null);
        assertThat(fake.closed.get()).isEqualTo("1008 outbound backlog");
        assertThat(fake.written).containsExactly("first");
    }
}
