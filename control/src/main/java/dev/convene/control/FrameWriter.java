package dev.convene.control;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The only way frames leave an SFU-side control connection. SFU callbacks arrive on the media
 * loop and must not wait, replies come from many session lanes at once, and Jetty wants one
 * write at a time: so every frame is queued, and one virtual thread writes them in order. A
 * peer that stops reading fills the queue and is disconnected (1008) rather than growing it.
 */
final class FrameWriter {

    private static final Logger log = LoggerFactory.getLogger(FrameWriter.class);
    static final int CAPACITY = 16_384;
    private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(5);

    private sealed interface Item {}

    private record Text(String text) implements Item {}

    private record Shut(int code, String reason) implements Item {}

    private final Session session;
    private final String connectionId;
    private final BlockingQueue<Item> queue = new LinkedBlockingQueue<>(CAPACITY + 1);
    private final AtomicBoolean closing = new AtomicBoolean();
    private final CompletableFuture<Void> finished = new CompletableFuture<>();

    FrameWriter(Session session, String connectionId) {
        this.session = session;
        this.connectionId = connectionId;
        Thread.ofVirtual().name("convene-control-writer-" + connectionId).start(this::run);
    }

    void send(String text) {
        if (closing.get()) {
            return;
        }
        if (!queue.offer(new Text(text)) || queue.size() > CAPACITY) {
            if (closing.compareAndSet(false, true)) {
                log.warn("event=control_backlog_overflow connection_id={}", connectionId);
                queue.clear();
                queue.offer(new Shut(1008, "outbound backlog"));
            }
        }
    }

    /** Closes the socket after the frames queued before; later sends are dropped. */
    void close(int code, String reason) {
        if (closing.compareAndSet(false, true) && !queue.offer(new Shut(code, reason))) {
            session.disconnect();
        }
    }

    private void run() {
        try {
            while (true) {
                Item item = queue.take();
                Callback.Completable done = new Callback.Completable();
                if (item instanceof Shut shut) {
                    if (session.isOpen()) {
                        session.close(shut.code(), shut.reason(), done);
                        done.get(WRITE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                    }
                    return;
                }
                if (session.isOpen()) {
                    session.sendText(((Text) item).text(), done);
                    done.get(WRITE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // A write that fails or hangs means the peer is gone; Jetty reports the close on its own.
            log.debug("event=control_write_failed connection_id={} error={}", connectionId, e.toString());
            closing.set(true);
            session.disconnect();
        } finally {
            finished.complete(null);
        }
    }

    /** Completes when the writer has sent its close (or given up on the socket). */
    CompletableFuture<Void> finished() {
        return finished;
    }
}
