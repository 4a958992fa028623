package dev.convene.server.impair;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A UDP relay on loopback that impairs what passes, for tests of how the media path copes
 * with real networks: clients send to {@link #address()} instead of the target (the SFU), and
 * the relay forwards each client's datagrams from a socket of its own (so the target sees one
 * address per client, as behind a NAT) and the answers back, applying an {@link Impairment}
 * per direction.
 *
 * <p>Loss and jitter draw from one {@link Random} with the given seed, on the relay's single
 * thread, so a run's decisions depend only on the order packets arrive. Everything is bounded:
 * at most {@link #MAX_QUEUED} datagrams wait (more are dropped and counted), at most
 * {@link #MAX_CLIENTS} client addresses get a socket, and the relay stops on {@link #close()}.
 * Sends only to loopback: the target must be a loopback address.
 */
public final class ImpairingRelay implements AutoCloseable {

    /** Toward the target (client → SFU: uplink) or toward the client (SFU → client: downlink). */
    public enum Direction { TO_TARGET, TO_CLIENT }

    /** Counts of one direction. */
    public record Counts(long received, long lost, long overflowed, long forwarded) {
        /** Lost ÷ received. */
        public double lossRatio() {
            return received == 0 ? 0 : (double) lost / received;
        }
    }

    public static final int MAX_QUEUED = 20_000;
    public static final int MAX_CLIENTS = 64;
    private static final int MAX_DATAGRAM = 65_535;
    private static final Logger log = LoggerFactory.getLogger(ImpairingRelay.class);

    private record Pending(long dueNanos, long order, DatagramChannel via, InetSocketAddress to, byte[] data) {}

    private final InetSocketAddress target;
    private final Random random;
    private final Selector selector;
    private final DatagramChannel front;
    private final Map<InetSocketAddress, DatagramChannel> backByClient = new HashMap<>();
    private final PriorityQueue<Pending> queue = new PriorityQueue<>((a, b) -> a.dueNanos != b.dueNanos
            ? Long.compare(a.dueNanos, b.dueNanos) : Long.compare(a.order, b.order));
    private final Thread thread;
    private volatile boolean closed;
    private volatile Impairment toTarget = Impairment.NONE;
    private volatile Impairment toClient = Impairment.NONE;
    private final long[] lastDeparture = new long[2];
    private long order;
    private final LongAdder[] received = {new LongAdder(), new LongAdder()};
    private final LongAdder[] lost = {new LongAdder(), new LongAdder()};
    private final LongAdder[] overflowed = {new LongAdder(), new LongAdder()};
    private final LongAdder[] forwarded = {new LongAdder(), new LongAdder()};

    private ImpairingRelay(InetSocketAddress target, long seed) throws IOException {
        if (!target.getAddress().isLoopbackAddress()) {
            throw new IllegalArgumentException("tests relay to loopback only: " + target);
        }
        this.target = target;
        this.random = new Random(seed);
        this.selector = Selector.open();
        this.front = DatagramChannel.open();
        front.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        front.configureBlocking(false);
        front.register(selector, SelectionKey.OP_READ, null);
        this.thread = Thread.ofPlatform().daemon().name("impairing-relay-" + front.getLocalAddress()).unstarted(this::run);
    }

    /** Starts a relay to {@code target} (a loopback address) with its own seeded randomness. */
    public static ImpairingRelay start(InetSocketAddress target, long seed) {
        try {
            ImpairingRelay relay = new ImpairingRelay(target, seed);
            relay.thread.start();
            return relay;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Where clients send instead of the target. */
    public InetSocketAddress address() {
        try {
            return (InetSocketAddress) front.getLocalAddress();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sets what one direction does from now on. */
    public void impair(Direction direction, Impairment impairment) {
        if (direction == Direction.TO_TARGET) {
            toTarget = impairment;
        } else {
            toClient = impairment;
        }
    }

    public Counts counts(Direction direction) {
        int d = direction.ordinal();
        return new Counts(received[d].sum(), lost[d].sum(), overflowed[d].sum(), forwarded[d].sum());
    }

    private void run() {
        ByteBuffer buf = ByteBuffer.allocate(MAX_DATAGRAM);
        try {
            while (!closed) {
                long now = System.nanoTime();
                sendDue(now);
                Pending next = queue.peek();
                long waitMillis = next == null ? 100 : Math.max(1, (next.dueNanos - now + 999_999) / 1_000_000);
                selector.select(Math.min(waitMillis, 100));
                for (SelectionKey key : selector.selectedKeys()) {
                    DatagramChannel channel = (DatagramChannel) key.channel();
                    InetSocketAddress client = (InetSocketAddress) key.attachment();
                    for (int i = 0; i < 256; i++) {
                        buf.clear();
                        InetSocketAddress from = (InetSocketAddress) channel.receive(buf);
                        if (from == null) {
                            break;
                        }
                        buf.flip();
                        byte[] data = new byte[buf.remaining()];
                        buf.get(data);
                        if (client == null) {
                            DatagramChannel back = backFor(from);
                            if (back != null) {
                                admit(Direction.TO_TARGET, back, target, data);
                            }
                        } else {
                            admit(Direction.TO_CLIENT, front, client, data);
                        }
                    }
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException e) {
            if (!closed) {
                log.warn("event=relay_failed error={}", e.toString());
            }
        }
    }

    private DatagramChannel backFor(InetSocketAddress client) throws IOException {
        DatagramChannel back = backByClient.get(client);
        if (back == null) {
            if (backByClient.size() >= MAX_CLIENTS) {
                return null;
            }
            back = DatagramChannel.open();
            back.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            back.configureBlocking(false);
            back.register(selector, SelectionKey.OP_READ, client);
            backByClient.put(client, back);
        }
        return back;
    }

    private void admit(Direction direction, DatagramChannel via, InetSocketAddress to, byte[] data) {
        int d = direction.ordinal();
        received[d].increment();
        Impairment imp = direction == Direction.TO_TARGET ? toTarget : toClient;
        if (imp.loss() > 0 && random.nextDouble() < imp.loss()) {
            lost[d].increment();
            return;
        }
        if (queue.size() >= MAX_QUEUED) {
            overflowed[d].increment();
            return;
        }
        long now = System.nanoTime();
        long due = now + imp.delay().toNanos();
        long jitter = imp.jitter().toNanos();
        if (jitter > 0) {
            due += (long) ((random.nextDouble() * 2 - 1) * jitter);
        }
        if (imp.rateBitsPerSecond() > 0) {
            // A link of that rate: each datagram leaves after the one before it has been serialized.
            long serialization = data.length * 8L * 1_000_000_000L / imp.rateBitsPerSecond();
            due = Math.max(due, lastDeparture[d] + serialization);
            lastDeparture[d] = due;
        }
        queue.add(new Pending(Math.max(due, now), order++, via, to, data));
    }

    private void sendDue(long now) throws IOException {
        while (!queue.isEmpty() && queue.peek().dueNanos <= now) {
            Pending p = queue.poll();
            p.via.send(ByteBuffer.wrap(p.data), p.to);
            forwarded[p.via == front ? Direction.TO_CLIENT.ordinal() : Direction.TO_TARGET.ordinal()].increment();
        }
    }

    @Override
    public void close() {
        closed = true;
        selector.wakeup();
        try {
            thread.join(Duration.ofSeconds(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            for (DatagramChannel back : backByClient.values()) {
                back.close();
            }
            front.close();
            selector.close();
        } catch (IOException e) {
            log.debug("event=relay_close_failed error={}", e.toString());
        }
    }
}
