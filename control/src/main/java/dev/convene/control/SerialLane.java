package dev.convene.control;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one session's control calls one after another, in arrival order, on a borrowed executor:
 * a {@code declare_track} is applied before the {@code publisher_offer} behind it, and a close
 * after the join it ends, while other sessions' calls proceed in parallel. A call blocking on
 * the media loop therefore holds up only its own session, never the connection's reader.
 */
final class SerialLane {

    private static final Logger log = LoggerFactory.getLogger(SerialLane.class);

    private final Executor executor;
    private final Queue<Runnable> queue = new ArrayDeque<>();
    private boolean draining;

    SerialLane(Executor executor) {
        this.executor = executor;
    }

    void submit(Runnable task) {
        synchronized (this) {
            queue.add(task);
            if (draining) {
                return;
            }
            draining = true;
        }
        try {
            executor.execute(this::drain);
        } catch (RejectedExecutionException e) {
            // The server is stopping; run what is queued here so closes still happen.
            drain();
        }
    }

    private void drain() {
        while (true) {
            Runnable next;
            synchronized (this) {
                next = queue.poll();
                if (next == null) {
                    draining = false;
                    return;
                }
            }
            try {
                next.run();
            } catch (RuntimeException e) {
                log.warn("event=control_task_failed error={}", e.toString());
            }
        }
    }
}
