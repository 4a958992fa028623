package dev.convene.client;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One thread reading many clients' UDP sockets through a {@link Selector}, for a load tool's
 * hundreds of transports in one JVM ({@link ClientResources#shared}): a thread blocked in each
 * socket's read is ~200 threads at 100 participants, each woken per datagram, on the same cores
 * as everything else (ADR 0023, addendum 2026-12-04). A selector thread that is busy takes the
 * next datagrams without being woken. Each socket is read by one loop only, so a transport's
 * reading state needs no lock.
 */
final class ReceiveLoop implements AutoCloseable {

    /** Reads one socket until it has nothing more, or this many datagrams, then the next. */
    static final int READS_PER_TURN = 64;

    /** What a transport does when its socket is readable: reads until it returns false or the turn ends. */
    interface Reader {
        /** Reads and handles at most one datagram; false when there was none (or the socket closed). */
        boolean readOne();
    }

    private static final Logger log = LoggerFactory.getLogger(ReceiveLoop.class);

    private final Selector selector;
    private final Thread thread;
    private final Queue<Runnable> pending = new ConcurrentLinkedQueue<>();
    private volatile boolean closed;

    ReceiveLoop(String name) {
        try {
            selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a selector", e);
        }
        thread = Thread.ofPlatform().daemon().name(name).start(this::run);
    }

    /**
     * Reads {@code channel} on this loop from now on; it is switched to non-blocking. Closing the
     * channel ends its reading.
     */
    void register(DatagramChannel channel, Reader reader) throws IOException {
        channel.configureBlocking(false);
        pending.add(() -> {
            try {
                channel.register(selector, SelectionKey.OP_READ, reader);
            } catch (ClosedChannelException e) {
                // closed before its first read: nothing to do
            }
        });
        selector.wakeup();
    }

    private void run() {
        try {
            while (!closed) {
                turn();
            }
        } catch (ClosedSelectorException e) {
            // closed: the loop ends
        }
    }

    private void turn() {
        try {
            selector.select();
        } catch (IOException e) {
            log.warn("event=client_receive_select_failed error={}", e.toString());
            return;
        }
        for (Runnable r; (r = pending.poll()) != null; ) {
            r.run();
        }
        for (SelectionKey key : selector.selectedKeys()) {
            if (!key.isValid()) {
                continue;
            }
            Reader reader = (Reader) key.attachment();
            try {
                for (int i = 0; i < READS_PER_TURN && reader.readOne(); i++) {
                    // one datagram handled
                }
            } catch (RuntimeException e) {
                // One transport's bug must not stop the others' reading.
                log.warn("event=client_receive_failed error={}", e.toString(), e);
            }
        }
        selector.selectedKeys().clear();
    }

    @Override
    public void close() {
        closed = true;
        try {
            selector.close();
        } catch (IOException e) {
            log.debug("event=client_receive_close_failed error={}", e.toString());
        }
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
