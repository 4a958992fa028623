package dev.convene.media.transport.dtls;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.tls.DatagramTransport;
import org.bouncycastle.tls.TlsTimeoutException;

/**
 * BouncyCastle's view of the endpoint's datagrams: reads come from a bounded queue that the
 * demultiplexer fills, writes go to the caller's {@link DatagramSender}.
 *
 * <p>Two kinds of ending: {@link #requestClose()} (our side wants out) makes reads fail but
 * still lets BouncyCastle send its close_notify or alert; {@link #close()} (BouncyCastle is
 * done with us) also drops further writes. Reads also fail once the handshake deadline has
 * passed and the handshake is not finished, so a silent peer cannot hold the thread.
 */
final class QueuedDatagramTransport implements DatagramTransport {

    /** Wakes a blocked reader; never handed to BouncyCastle. */
    private static final byte[] WAKE = new byte[0];

    private final BlockingQueue<byte[]> queue;
    private final DatagramSender sender;
    private final int sendLimit;

    private volatile boolean closeRequested;
    private volatile boolean closed;
    private volatile boolean handshakeFinished;
    private volatile long handshakeDeadlineNanos;
    private volatile long handshakeTimeoutMillis;

    private final AtomicLong datagramsSent = new AtomicLong();
    private final AtomicLong queueFullDropped = new AtomicLong();
    private final AtomicLong oversizeDropped = new AtomicLong();

    QueuedDatagramTransport(DatagramSender sender, int sendLimit, int queueCapacity) {
        this.sender = sender;
        this.sendLimit = sendLimit;
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
    }

    /** Starts the handshake clock; reads fail with {@link TlsTimeoutException} past it. */
    void startHandshakeClock(long timeoutMillis) {
        this.handshakeTimeoutMillis = timeoutMillis;
        this.handshakeDeadlineNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    }

    long remainingHandshakeNanos() {
        return handshakeDeadlineNanos - System.nanoTime();
    }

    void handshakeFinished() {
        handshakeFinished = true;
    }

    /** Queues a datagram the caller has already copied; false if the queue is full or we are closed. */
    boolean offer(byte[] datagram) {
        if (closeRequested || closed) {
            return false;
        }
        if (!queue.offer(datagram)) {
            queueFullDropped.incrementAndGet();
            return false;
        }
        return true;
    }

    void requestClose() {
        closeRequested = true;
        wake();
    }

    boolean isClosed() {
        return closed;
    }

    long datagramsSent() {
        return datagramsSent.get();
    }

    long queueFullDropped() {
        return queueFullDropped.get();
    }

    long oversizeDropped() {
        return oversizeDropped.get();
    }

    @Override
    public int getReceiveLimit() {
        return DtlsRecords.MAX_DATAGRAM_LENGTH;
    }

    @Override
    public int getSendLimit() {
        return sendLimit;
    }

    /**
     * Waits up to {@code waitMillis} (0: without limit, as for a socket timeout) for one
     * datagram; -1 on timeout, which BouncyCastle takes as its cue to retransmit.
     */
    @Override
    public int receive(byte[] buf, int off, int len, int waitMillis) throws IOException {
        long now = System.nanoTime();
        long until = waitMillis <= 0 ? Long.MAX_VALUE : now + TimeUnit.MILLISECONDS.toNanos(waitMillis);
        while (true) {
            if (closeRequested || closed) {
                throw new InterruptedIOException("DTLS endpoint closed");
            }
            long limit = until;
            if (!handshakeFinished) {
                long deadline = handshakeDeadlineNanos;
                if (now - deadline >= 0) {
                    throw new TlsTimeoutException(
                            "DTLS handshake did not finish within " + handshakeTimeoutMillis + " ms");
                }
                if (until - deadline > 0) {
                    limit = deadline;
                }
            }
            long remaining = limit - now;
            if (remaining <= 0) {
                return -1;
            }
            byte[] datagram;
            try {
                datagram = queue.poll(remaining, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for a DTLS datagram");
            }
            if (datagram != null && datagram != WAKE) {
                if (datagram.length <= len) {
                    System.arraycopy(datagram, 0, buf, off, datagram.length);
                    return datagram.length;
                }
                oversizeDropped.incrementAndGet();
            }
            now = System.nanoTime();
        }
    }

    @Override
    public void send(byte[] buf, int off, int len) throws IOException {
        if (closed) {
            return;
        }
        try {
            sender.send(buf, off, len);
        } catch (RuntimeException e) {
            throw new IOException("datagram sender failed", e);
        }
        datagramsSent.incrementAndGet();
    }

    /** Called by BouncyCastle when it is done with the connection (after close_notify or a fatal alert). */
    @Override
    public void close() {
        closed = true;
        queue.clear();
        wake();
    }

    private void wake() {
        // If the queue is full the reader is not blocked, and it checks the flags before each poll.
        queue.offer(WAKE);
    }
}
