package dev.convene.server.impair;

import dev.convene.server.impair.UdpImpairer.Impairment;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * An impairing UDP relay that runs as its own process inside a test's network namespace, in
 * front of a server listening on loopback there: a middlebox on the real path between a
 * browser in another namespace and the SFU, for impairments the kernel cannot add (this one
 * has no netem). Like a NAT, it gives each client address its own upstream socket, so the
 * server sees each client as a distinct (peer-reflexive) address; unlike {@link UdpImpairer},
 * which serves one in-process Java client, it relays any number of clients, and impairs only
 * those from one address — the others pass untouched.
 *
 * <p>Each direction (up: client → server, down: server → client) has an {@link Impairment}
 * — loss drawn from a {@link Random} seeded per direction, a fixed delay — that the test
 * changes while the relay runs, by lines on standard input:
 * <pre>
 *   impair up|down LOSS DELAY_MS   →  "ok impair up loss=0.05 delay_ms=40"
 *   rate up|down BPS [QUEUE_MS]    →  "ok rate down bps=300000 queue_ms=200"   (0 lifts the cap)
 *   stats                          →  "stats up_relayed=… up_dropped=… up_late_max_ms=… up_late_20ms=… up_rate_dropped=… up_rate_queue_max_ms=… up_rate_drops_ms_bytes=… down_… clients=…"
 * </pre>
 * {@code late_max_ms} and {@code late_20ms} tell how far behind its due time a delayed datagram
 * left (the largest lateness, and how many were over 20 ms late): on a loaded machine the
 * relay adds jitter of its own, and a test can tell it from the network it imitates.
 * Every datagram of an impaired client is impaired (STUN and DTLS too, as on a real path). A
 * fixed delay keeps the order (one scheduler thread, earliest first). A rate cap queues datagrams
 * behind each other at that many bits per second, as a bottleneck router does, and drops one
 * that would wait longer than the router's buffer, QUEUE_MS ({@link UdpImpairer#RATE_QUEUE} by
 * default; counted in {@code _rate_dropped}).
 * Bounded: at most
 * {@link #MAX_CLIENTS} client addresses and {@link #MAX_DATAGRAMS} datagrams per direction; it
 * exits when its standard input closes (the test ended) or after {@link #MAX_LIFETIME}; the
 * target must be a loopback address.
 *
 * <pre>
 *   java -cp … dev.convene.server.impair.ImpairingRelay LISTEN_ADDR:PORT TARGET_LOOPBACK:PORT IMPAIRED_CLIENT_ADDR SEED
 * </pre>
 */
public final class ImpairingRelay {

    static final int MAX_CLIENTS = 64;
    static final long MAX_DATAGRAMS = 5_000_000;
    /** Rate drops listed in {@code stats} ("ms since the rate was set:bytes"), the first ones only. */
    private static final int MAX_LOGGED_DROPS = 40;
    static final Duration MAX_LIFETIME = Duration.ofMinutes(15);
    private static final int MAX_DATAGRAM = 65_535;
    private static final long LATE_NANOS = 20_000_000L;

    private final DatagramChannel front;
    private final InetSocketAddress target;
    private final InetAddress impairedClient;
    private final Selector selector;
    private final Map<InetSocketAddress, DatagramChannel> backs = new HashMap<>();
    private final ScheduledExecutorService delayer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "relay-delay");
        t.setDaemon(true);
        return t;
    });
    private final Direction up;
    private final Direction down;

    private ImpairingRelay(InetSocketAddress listen, InetSocketAddress target, InetAddress impairedClient, long seed)
            throws IOException {
        if (!target.getAddress().isLoopbackAddress()) {
            throw new IllegalArgumentException("the relay forwards to loopback only, not " + target);
        }
        this.target = target;
        this.impairedClient = impairedClient;
        this.selector = Selector.open();
        this.front = open().bind(listen);
        front.register(selector, SelectionKey.OP_READ);
        this.up = new Direction("up", new Random(seed));
        this.down = new Direction("down", new Random(~seed));
    }

    private static DatagramChannel open() throws IOException {
        DatagramChannel c = DatagramChannel.open();
        c.setOption(StandardSocketOptions.SO_RCVBUF, 1 << 21);
        c.setOption(StandardSocketOptions.SO_SNDBUF, 1 << 21);
        c.configureBlocking(false);
        return c;
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 4) {
            System.err.println("usage: ImpairingRelay LISTEN_ADDR:PORT TARGET_LOOPBACK:PORT IMPAIRED_CLIENT_ADDR SEED");
            System.exit(2);
        }
        ImpairingRelay relay = new ImpairingRelay(address(args[0]), address(args[1]), InetAddress.getByName(args[2]),
                Long.parseLong(args[3]));
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        Thread control = Thread.ofPlatform().daemon().name("relay-control").start(() -> relay.control(out));
        out.println("ready listen=" + args[0] + " target=" + args[1] + " impaired=" + args[2]);
        relay.run(System.nanoTime() + MAX_LIFETIME.toNanos(), control);
        System.exit(0);
    }

    private static InetSocketAddress address(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        return new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    }

    /** Reads commands until standard input closes. */
    private void control(PrintStream out) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                String[] w = line.trim().split("\\s+");
                try {
                    if (w.length == 4 && w[0].equals("impair") && (w[1].equals("up") || w[1].equals("down"))) {
                        Impairment imp = new Impairment(Double.parseDouble(w[2]), Duration.ofMillis(Long.parseLong(w[3])),
                                Duration.ZERO, 0, false);
                        (w[1].equals("up") ? up : down).impairment = imp;
                        out.println("ok impair " + w[1] + " loss=" + imp.loss() + " delay_ms=" + imp.delay().toMillis());
                    } else if ((w.length == 3 || w.length == 4) && w[0].equals("rate")
                            && (w[1].equals("up") || w[1].equals("down"))) {
                        long bps = Long.parseLong(w[2]);
                        long queueMs = w.length == 4 ? Long.parseLong(w[3]) : UdpImpairer.RATE_QUEUE.toMillis();
                        if (bps < 0 || queueMs <= 0 || queueMs > 10_000) {
                            throw new IllegalArgumentException("rate " + bps + " with a queue of " + queueMs + " ms");
                        }
                        Direction d = w[1].equals("up") ? up : down;
                        d.rateQueueNanos = queueMs * 1_000_000;
                        d.rateBps = bps;
                        d.rateQueueMaxNanos.reset();
                        d.rateSetNanos = System.nanoTime();
                        d.rateDrops.clear();
                        out.println("ok rate " + w[1] + " bps=" + bps + " queue_ms=" + queueMs);
                    } else if (w.length == 1 && w[0].equals("stats")) {
                        out.println("stats " + up.stats() + " " + down.stats() + " clients=" + up.clients);
                    } else {
                        out.println("error unknown command: " + line);
                    }
                } catch (IllegalArgumentException e) {
                    out.println("error " + e.getMessage());
                }
            }
        } catch (IOException e) {
            // Standard input gone: the test has ended.
        }
    }

    private void run(long deadlineNanos, Thread control) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(MAX_DATAGRAM);
        while (control.isAlive() && System.nanoTime() < deadlineNanos) {
            selector.select(100);
            for (SelectionKey key : selector.selectedKeys()) {
                DatagramChannel channel = (DatagramChannel) key.channel();
                buf.clear();
                InetSocketAddress from;
                try {
                    from = (InetSocketAddress) channel.receive(buf);
                } catch (IOException e) {
                    continue; // ICMP errors and the like: UDP carries on.
                }
                if (from == null) {
                    continue;
                }
                buf.flip();
                byte[] bytes = new byte[buf.remaining()];
                buf.get(bytes);
                if (channel == front) {
                    DatagramChannel back = backFor(from);
                    if (back != null) {
                        up.offer(bytes, from.getAddress().equals(impairedClient), b -> send(back, b, target));
                    }
                } else {
                    InetSocketAddress client = (InetSocketAddress) key.attachment();
                    down.offer(bytes, client.getAddress().equals(impairedClient), b -> send(front, b, client));
                }
            }
            selector.selectedKeys().clear();
        }
        delayer.shutdownNow();
    }

    private DatagramChannel backFor(InetSocketAddress client) throws IOException {
        DatagramChannel back = backs.get(client);
        if (back == null && backs.size() < MAX_CLIENTS) {
            back = open().bind(new InetSocketAddress(target.getAddress(), 0));
            back.register(selector, SelectionKey.OP_READ, client);
            backs.put(client, back);
            up.clients = backs.size();
        }
        return back;
    }

    private static void send(DatagramChannel channel, byte[] bytes, InetSocketAddress to) {
        try {
            channel.send(ByteBuffer.wrap(bytes), to);
        } catch (IOException e) {
            // A failed send is one more loss on a lossy path.
        }
    }

    /** One direction: its impairment (set by the control thread) and its counts. */
    private final class Direction {
        private final String name;
        private final Random random;
        private volatile Impairment impairment = Impairment.none();
        private final LongAdder relayed = new LongAdder();
        private final LongAdder dropped = new LongAdder();
        private volatile int clients;
        private final java.util.concurrent.atomic.LongAccumulator lateMaxNanos =
                new java.util.concurrent.atomic.LongAccumulator(Math::max, 0);
        private final LongAdder lateOver = new LongAdder();
        private volatile long rateBps;
        /** The bottleneck's buffer: a datagram that would queue longer is dropped. */
        private volatile long rateQueueNanos = UdpImpairer.RATE_QUEUE.toNanos();
        private final LongAdder rateDropped = new LongAdder();
        /** The longest a datagram queued behind the rate cap since it was last set. */
        private final java.util.concurrent.atomic.LongAccumulator rateQueueMaxNanos =
                new java.util.concurrent.atomic.LongAccumulator(Math::max, 0);
        /** When the rate cap's queue is empty again; relay thread only. */
        private long nextFreeNanos;
        /** When the rate was last set, and the first rate drops since then ("ms:bytes"), for the log. */
        private volatile long rateSetNanos;
        private final java.util.Queue<String> rateDrops = new java.util.concurrent.ConcurrentLinkedQueue<>();

        Direction(String name, Random random) {
            this.name = name;
            this.random = random;
        }

        /** On the relay thread only, so {@link #random} draws one sequence. */
        void offer(byte[] bytes, boolean impaired, java.util.function.Consumer<byte[]> send) {
            if (relayed.sum() + dropped.sum() >= MAX_DATAGRAMS) {
                dropped.increment();
                return;
            }
            Impairment imp = impaired ? impairment : Impairment.none();
            if (imp.loss() > 0 && random.nextDouble() < imp.loss()) {
                dropped.increment();
                return;
            }
            long delay = imp.delay().toNanos();
            long rate = impaired ? rateBps : 0;
            if (rate > 0) {
                long now = System.nanoTime();
                long start = Math.max(now, nextFreeNanos);
                if (start - now > rateQueueNanos) {
                    dropped.increment();
                    rateDropped.increment();
                    if (rateDrops.size() < MAX_LOGGED_DROPS) {
                        rateDrops.add((now - rateSetNanos) / 1_000_000 + ":" + bytes.length);
                    }
                    return;
                }
                nextFreeNanos = start + bytes.length * 8L * 1_000_000_000L / rate;
                rateQueueMaxNanos.accumulate(start - now);
                delay += nextFreeNanos - now;
            }
            relayed.increment();
            if (delay <= 0) {
                send.accept(bytes);
                return;
            }
            long due = System.nanoTime() + delay;
            try {
                delayer.schedule(() -> {
                    long late = System.nanoTime() - due;
                    send.accept(bytes);
                    lateMaxNanos.accumulate(late);
                    if (late > LATE_NANOS) {
                        lateOver.increment();
                    }
                }, delay, TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                // Shutting down.
            }
        }

        String stats() {
            return name + "_relayed=" + relayed.sum() + " " + name + "_dropped=" + dropped.sum() + " " + name
                    + "_late_max_ms=" + lateMaxNanos.get() / 1_000_000 + " " + name + "_late_20ms=" + lateOver.sum()
                    + " " + name + "_rate_dropped=" + rateDropped.sum() + " " + name + "_rate_queue_max_ms="
                    + rateQueueMaxNanos.get() / 1_000_000 + " " + name + "_rate_drops_ms_bytes="
                    + String.join(",", rateDrops);
        }

        @Override
        public String toString() {
            return name;
        }
    }
}
