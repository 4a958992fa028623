package dev.convene.signaling.ws;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way frames leave a socket. Any thread may {@link #send} (the socket's own handler, SFU
 * callbacks, event bus deliveries); a virtual thread writes the queued frames in order and waits
 * for each write, so Jetty never sees two writes of one socket at once. That thread lives only
 * while frames are queued: it is started when the first frame of a burst is queued and ends when
 * the queue is empty, so an idle socket — most of a large meeting's, between heartbeats — holds
 * no thread stack (one parked writer per socket was ~3 KB of heap each). At most one runs per
 * socket at a time. A close is queued behind the frames before it, so an {@code error} sent before
 * a close arrives first. A client that does not read its frames fills the bounded queue and is
 * disconnected (1008), without holding up anyone else's thread.
 */
final class Outbox {

    private static final Logger log = LoggerFactory.getLogger(Outbox.class);
    static final int CAPACITY = 1_024;
    private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(10);

    private sealed interface Item {}

    private record Text(String text) implements Item {}

    private record Close(int code, String reason) implements Item {}

    private final Session session;
    private final String connectionId;
    /** Linked, not an array: an idle socket's empty queue costs a few bytes, not 4 KB of slots. */
    private final BlockingQueue<Item> queue = new LinkedBlockingQueue<>(CAPACITY + 1);
    private final AtomicBoolean closing = new AtomicBoolean();
    /** Whether a writer thread runs (or, after a close or a failed write, the socket's writing is over). */
    private final AtomicBoolean writing = new AtomicBoolean();

    Outbox(Session session, String connectionId) {
        this.session = session;
        this.connectionId = connectionId;
    }

    /** Queues a text frame; frames after {@link #close} are dropped. */
    void send(String text) {
        if (closing.get()) {
            return;
        }
        if (!queue.offer(new Text(text))) {
            overflow();
        }
        startWriter();
    }

    /** Queues the close of the socket behind the frames already queued; only the first close counts. */
    void close(int code, String reason) {
        if (closing.compareAndSet(false, true)) {
            // The queue keeps one slot above CAPACITY free for this, except after an overflow.
            if (!queue.offer(new Close(code, reason))) {
                session.disconnect();
            }
            startWriter();
        }
    }

    boolean closing() {
        return closing.get();
    }

    /** Whether a writer thread runs now (or writing has ended for good, after a close): for tests. */
    boolean writerRunning() {
        return writing.get();
    }

    private void overflow() {
        if (closing.compareAndSet(false, true)) {
            log.warn("event=ws_outbox_overflow connection_id={} queued={}", connectionId, queue.size());
            queue.clear();
            queue.offer(new Close(1008, "outbound backlog"));
        }
    }

    private void startWriter() {
        if (writing.compareAndSet(false, true)) {
            Thread.ofVirtual().name("convene-ws-writer-" + connectionId).start(this::writeQueued);
        }
    }

    /**
     * Writes until the queue is empty, then ends; a frame queued between the last poll and the
     * end is written by this thread still, or by the next one its sender starts. After a close,
     * or a failed write, {@link #writing} stays set: nothing is written on this socket again.
     */
    private void writeQueued() {
        try {
            while (true) {
                Item item = queue.poll();
                if (item == null) {
                    writing.set(false);
                    if (queue.isEmpty() || !writing.compareAndSet(false, true)) {
                        return;
                    }
                    continue;
                }
                Callback.Completable done = new Callback.Completable();
                switch (item) {
                    case Text t -> {
                        if (!session.isOpen()) {
                            continue;
                        }
                        session.sendText(t.text(), done);
                    }
                    case Close c -> {
                        if (session.isOpen()) {
                            session.close(c.code(), c.reason(), done);
                            awaitQuietly(done);
                        }
                        return;
                    }
                }
                done.get(WRITE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // A failed or stuck write means the peer is gone; Jetty reports the close separately.
            log.debug("event=ws_write_failed connection_id={} error={}", connectionId, e.toString());
            closing.set(true);
            session.disconnect();
        }
    }

    private static void awaitQuietly(Callback.Completable done) {
        try {
            done.get(WRITE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            // Closing a socket that is already going away; nothing else to do.
        }
    }
}
