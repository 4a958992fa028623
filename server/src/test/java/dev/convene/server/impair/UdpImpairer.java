package dev.convene.server.impair;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * An impairing UDP relay on loopback, for one client's leg to a server: the client sends to
 * {@link #address()} instead of the server, the relay forwards to the server from its own
 * socket and relays the replies back. Each direction has its own {@link Impairment} — random
 * loss, a fixed delay, uniform jitter (which reorders, as netem's does), a rate cap — decided by
 * a {@link Random} seeded per direction, so a test's losses are the same on every run for the
 * same packets.
 *
 * <p>By default only RTP and RTCP (first byte 128–191, RFC 7983) are impaired: STUN and DTLS
 * pass untouched, so a test measures media recovery rather than handshake retransmission
 * timers. {@link Impairment#everything()} impairs all datagrams.
 *
 * <p>Bounded: at most {@link #MAX_DATAGRAMS} per direction are relayed, then the rest are
 * dropped and counted; only loopback addresses are accepted as the target. Close it to stop.
 */
public final class UdpImpairer implements AutoCloseable {

    /**
     * What happens to one direction's datagrams.
     *
     * @param loss       probability in [0, 1] that a datagram is dropped
     * @param delay      added to every datagram
     * @param jitter     a further uniform random delay in [0, jitter)
     * @param rateBps    bits per second at most, 0 for no cap: datagrams queue behind each other
     *                   as at a bottleneck router, and one that would wait longer than
     *                   {@link #RATE_QUEUE} is dropped (a token bucket of that depth)
     * @param mediaOnly  impair only RTP/RTCP; STUN and DTLS pass untouched
     */
    public record Impairment(double loss, Duration delay, Duration jitter, long rateBps, boolean mediaOnly) {
        public Impairment {
            if (!(loss >= 0 && loss <= 1) || delay.isNegative() || jitter.isNegative() || rateBps < 0) {
                throw new IllegalArgumentException("invalid impairment: " + loss + " " + delay + " " + jitter + " " + rateBps);
            }
        }

        public static Impairment none() {
            return new Impairment(0, Duration.ZERO, Duration.ZERO, 0, true);
        }

        public static Impairment loss(double loss) {
            return none().withLoss(loss);
        }

        public Impairment withLoss(double l) {
            return new Impairment(l, delay, jitter, rateBps, mediaOnly);
        }

        public Impairment withDelay(Duration d) {
            return new Impairment(loss, d, jitter, rateBps, mediaOnly);
        }

        public Impairment withJitter(Duration j) {
            return new Impairment(loss, delay, j, rateBps, mediaOnly);
        }

        public Impairment withRate(long bps) {
            return new Impairment(loss, delay, jitter, bps, mediaOnly);
        }

        public Impairment everything() {
            return new Impairment(loss, delay, jitter, rateBps, false);
        }
    }

    /** The longest a datagram queues behind a rate cap before it is dropped instead, as a router's buffer. */
    public static final Duration RATE_QUEUE = Duration.ofMillis(200);

    /** Datagrams relayed per direction at most: a test runs for seconds, not hours. */
    public static final long MAX_DATAGRAMS = 2_000_000;
    private static final int MAX_DATAGRAM = 65_535;

    private final DatagramChannel front;
    private final DatagramChannel back;
    private final Direction uplink;
    private final Direction downlink;
    private final ScheduledExecutorService delayer;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile InetSocketAddress client;

    private UdpImpairer(DatagramChannel front, DatagramChannel back, Impairment up, Impairment down, long seed) {
        this.front = front;
        this.back = back;
        this.uplink = new Direction("up", up, new Random(seed));
        this.downlink = new Direction("down", down, new Random(~seed));
        this.delayer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "udp-impairer-delay");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Starts a relay to {@code server} (a loopback address).
     *
     * @param uplink   what happens to datagrams from the client to the server
     * @param downlink what happens to datagrams from the server to the client
     * @param seed     seeds both directions' random decisions
     */
    public static UdpImpairer start(InetSocketAddress server, Impairment uplink, Impairment downlink, long seed) {
        Objects.requireNonNull(server, "server");
        if (!server.getAddress().isLoopbackAddress()) {
            throw new IllegalArgumentException("tests relay to loopback only, not " + server);
        }
        try {
            InetAddress loopback = server.getAddress();
            DatagramChannel front = DatagramChannel.open().bind(new InetSocketAddress(loopback, 0));
            DatagramChannel back = DatagramChannel.open().bind(new InetSocketAddress(loopback, 0));
            for (DatagramChannel c : new DatagramChannel[] {front, back}) {
                c.setOption(StandardSocketOptions.SO_RCVBUF, 1 << 20);
                c.setOption(StandardSocketOptions.SO_SNDBUF, 1 << 20);
            }
            back.connect(server);
            UdpImpairer relay = new UdpImpairer(front, back, uplink, downlink, seed);
            Thread.ofPlatform().daemon().name("udp-impairer-up").start(relay::relayUp);
            Thread.ofPlatform().daemon().name("udp-impairer-down").start(relay::relayDown);
            return relay;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the relay's sockets", e);
        }
    }

    /** Where the client sends instead of the server. */
    public InetSocketAddress address() {
        try {
            return (InetSocketAddress) front.getLocalAddress();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Direction uplink() {
        return uplink;
    }

    public Direction downlink() {
        return downlink;
    }

    private void relayUp() {
        ByteBuffer buf = ByteBuffer.allocate(MAX_DATAGRAM);
        while (!closed.get()) {
            try {
                buf.clear();
                InetSocketAddress from = (InetSocketAddress) front.receive(buf);
                if (from == null) {
                    continue;
                }
                client = from;
                buf.flip();
                uplink.offer(buf, bytes -> writeQuietly(back, ByteBuffer.wrap(bytes), null));
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                // ICMP errors and the like: UDP carries on.
            }
        }
    }

    private void relayDown() {
        ByteBuffer buf = ByteBuffer.allocate(MAX_DATAGRAM);
        while (!closed.get()) {
            try {
                buf.clear();
                int n = back.read(buf);
                InetSocketAddress to = client;
                if (n <= 0 || to == null) {
                    continue;
                }
                buf.flip();
                downlink.offer(buf, bytes -> writeQuietly(front, ByteBuffer.wrap(bytes), to));
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                // ICMP port unreachable while the server is not yet listening: carry on.
            }
        }
    }

    private static void writeQuietly(DatagramChannel channel, ByteBuffer data, InetSocketAddress to) {
        try {
            if (to == null) {
                channel.write(data);
            } else {
                channel.send(data, to);
            }
        } catch (IOException e) {
            // The relay is lossy by design; a failed send is one more loss.
        }
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            delayer.shutdownNow();
            try {
                front.close();
                back.close();
            } catch (IOException e) {
                // Closing anyway.
            }
        }
    }

    /** One direction of the relay: its impairment (changeable while running) and its counts. */
    public final class Direction {
        private final String name;
        private final Random random;
        private volatile Impairment impairment;
        private long nextFreeNanos;
        private final LongAdder relayed = new LongAdder();
        private final LongAdder dropped = new LongAdder();
        private final LongAdder mediaIn = new LongAdder();
        private final LongAdder rateDropped = new LongAdder();

        Direction(String name, Impairment impairment, Random random) {
            this.name = name;
            this.impairment = impairment;
            this.random = random;
        }

        public void set(Impairment next) {
            this.impairment = Objects.requireNonNull(next, "impairment");
        }

        /** Datagrams sent on (possibly later). */
        public long relayed() {
            return relayed.sum();
        }

        /** Datagrams dropped by the loss or the bound. */
        public long dropped() {
            return dropped.sum();
        }

        /** Datagrams dropped because the rate cap's queue was full. */
        public long rateDropped() {
            return rateDropped.sum();
        }

        /** RTP and RTCP datagrams that arrived on this direction. */
        public long mediaIn() {
            return mediaIn.sum();
        }

        /** On this direction's reader thread only, so {@link #random} sees one sequence. */
        void offer(ByteBuffer datagram, java.util.function.Consumer<byte[]> send) {
            Impairment imp = impairment;
            byte[] bytes = new byte[datagram.remaining()];
            datagram.get(bytes);
            int first = bytes.length == 0 ? 0 : bytes[0] & 0xFF;
            boolean media = first >= 128 && first <= 191;
            if (media) {
                mediaIn.increment();
            }
            if (relayed.sum() + dropped.sum() >= MAX_DATAGRAMS) {
                dropped.increment();
                return;
            }
            if (imp.mediaOnly() && !media) {
                relayed.increment();
                send.accept(bytes);
                return;
            }
            if (imp.loss() > 0 && random.nextDouble() < imp.loss()) {
                dropped.increment();
                return;
            }
            long now = System.nanoTime();
            long delay = imp.delay().toNanos();
            if (!imp.jitter().isZero()) {
                delay += (long) (random.nextDouble() * imp.jitter().toNanos());
            }
            if (imp.rateBps() > 0) {
                long serialization = bytes.length * 8L * 1_000_000_000L / imp.rateBps();
                long start = Math.max(now, nextFreeNanos);
                if (start - now > RATE_QUEUE.toNanos()) {
                    dropped.increment();
                    rateDropped.increment();
                    return;
                }
                nextFreeNanos = start + serialization;
                delay += nextFreeNanos - now;
            }
            relayed.increment();
            if (delay <= 0) {
                send.accept(bytes);
                return;
            }
            try {
                delayer.schedule(() -> send.accept(bytes), delay, TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                // Closed meanwhile.
            }
        }

        @Override
        public String toString() {
            return name + "[relayed=" + relayed() + " dropped=" + dropped() + " " + impairment + "]";
        }
    }
}
