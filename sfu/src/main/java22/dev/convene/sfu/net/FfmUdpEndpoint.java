package dev.convene.sfu.net;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.unix.FileDescriptor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One address of the media port read and written with {@code recvmmsg}/{@code sendmmsg} through
 * FFM, registered on the media loop's epoll as a plain file descriptor (Netty 4.2's
 * {@link EpollIoHandle}), so confinement is what it was with Netty's datagram channel. Netty's
 * channel builds a {@code DatagramPacket}, the sender's address objects and a buffer slice per
 * datagram; here a datagram lands in a preallocated native slot, is copied into the socket's
 * receive array, and its sender is named by the cached address object of {@link PeerAddresses}:
 * nothing is allocated per datagram (ADR 0027). Sends on the loop are copied into native slots
 * and leave in one {@code sendmmsg} at the end of the read batch (or when the slots are full);
 * a send outside a read batch (a timer's RTCP) leaves at once.
 */
final class FfmUdpEndpoint implements UdpEndpoint, EpollIoHandle {

    /** Datagrams per {@code recvmmsg} and per {@code sendmmsg}. */
    static final int BATCH = 32;
    /** {@code recvmmsg} calls per readiness event before the loop gets back to its other work. */
    private static final int READS_PER_EVENT = 4;
    /** One byte more than we accept, so an oversized datagram shows as one. */
    private static final int RX_SLOT = MediaSocket.MAX_DATAGRAM + 1;
    private static final int TX_SLOT = MediaSocket.MAX_DATAGRAM + MediaSocket.TRAILER_ROOM;
    private static final int SOCKET_BUFFER = 4 << 20;
    private static final ValueLayout.OfShort NET_SHORT = JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt NET_INT = JAVA_INT.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfLong NET_LONG = JAVA_LONG.withOrder(ByteOrder.BIG_ENDIAN);
    private static final Logger log = LoggerFactory.getLogger(FfmUdpEndpoint.class);

    private final IoEventLoop loop;
    private final MediaSocket.Reader owner;
    private final int fd;
    private final FileDescriptor nettyFd;
    private final int family;
    private final InetSocketAddress localAddress;
    private final Arena arena;
    private final MemorySegment errno;
    private final PeerAddresses peers = new PeerAddresses();
    private final MemorySegment rxVec;
    private final MemorySegment rxNames;
    private final MemorySegment rxData;
    private final MemorySegment txVec;
    private final MemorySegment txNames;
    private final MemorySegment txData;
    private final MemorySegment txIov;
    /** {@code txVec} from each message on: a retry after a partial send starts there without slicing. */
    private final MemorySegment[] txVecFrom = new MemorySegment[BATCH];
    private int txCount;
    private long droppedSends;
    private long receiveErrors;
    private IoRegistration registration;
    private boolean closed;

    private FfmUdpEndpoint(IoEventLoop loop, MediaSocket.Reader owner, int fd, int family,
            InetSocketAddress localAddress, Arena arena, MemorySegment errno) {
        this.loop = loop;
        this.owner = owner;
        this.fd = fd;
        this.nettyFd = new FileDescriptor(fd);
        this.family = family;
        this.localAddress = localAddress;
        this.arena = arena;
        this.errno = errno;
        this.rxVec = arena.allocate(Libc.MMSGHDR_SIZE * BATCH, 8);
        this.rxNames = arena.allocate((long) Libc.SOCKADDR_SIZE * BATCH, 8);
        this.rxData = arena.allocate((long) RX_SLOT * BATCH, 64);
        MemorySegment rxIov = arena.allocate(Libc.IOVEC_SIZE * BATCH, 8);
        this.txVec = arena.allocate(Libc.MMSGHDR_SIZE * BATCH, 8);
        this.txNames = arena.allocate((long) Libc.SOCKADDR_SIZE * BATCH, 8);
        this.txData = arena.allocate((long) TX_SLOT * BATCH, 64);
        this.txIov = arena.allocate(Libc.IOVEC_SIZE * BATCH, 8);
        for (int i = 0; i < BATCH; i++) {
            wire(rxVec, rxIov, rxNames, rxData, RX_SLOT, i);
            rxIov.set(JAVA_LONG, i * Libc.IOVEC_SIZE + Libc.IOVEC_LEN, RX_SLOT);
            wire(txVec, txIov, txNames, txData, TX_SLOT, i);
            txVecFrom[i] = txVec.asSlice(i * Libc.MMSGHDR_SIZE);
        }
    }

    /** Points message {@code i} of {@code vec} at its iovec, its data slot and its sockaddr. */
    private static void wire(MemorySegment vec, MemorySegment iov, MemorySegment names, MemorySegment data, int slot,
            int i) {
        long m = i * Libc.MMSGHDR_SIZE;
        long v = i * Libc.IOVEC_SIZE;
        iov.set(ValueLayout.ADDRESS, v + Libc.IOVEC_BASE, data.asSlice((long) slot * i, slot));
        vec.set(ValueLayout.ADDRESS, m + Libc.MSGHDR_NAME, names.asSlice((long) Libc.SOCKADDR_SIZE * i));
        vec.set(JAVA_INT, m + Libc.MSGHDR_NAMELEN, Libc.SOCKADDR_SIZE);
        vec.set(ValueLayout.ADDRESS, m + Libc.MSGHDR_IOV, iov.asSlice(v));
        vec.set(JAVA_LONG, m + Libc.MSGHDR_IOVLEN, 1);
    }

    /** Binds {@code address} and registers the socket on {@code loop} for reading. Called reflectively by {@link MediaSocket}. */
    static UdpEndpoint bind(IoEventLoop loop, InetSocketAddress address, MediaSocket.Reader owner)
            throws IOException, InterruptedException {
        Arena arena = Arena.ofShared();
        int fd = -1;
        MemorySegment errno = Libc.errnoSlot(arena);
        try {
            int family = address.getAddress() instanceof Inet4Address ? Libc.AF_INET : Libc.AF_INET6;
            fd = Libc.socket(errno, family);
            Libc.setsockopt(errno, fd, Libc.SOL_SOCKET, Libc.SO_RCVBUF, SOCKET_BUFFER, arena);
            Libc.setsockopt(errno, fd, Libc.SOL_SOCKET, Libc.SO_SNDBUF, SOCKET_BUFFER, arena);
            if (family == Libc.AF_INET6) {
                // Only this address's own family: an IPv4-mapped peer would be named in the wrong family.
                Libc.setsockopt(errno, fd, Libc.IPPROTO_IPV6, Libc.IPV6_V6ONLY, 1, arena);
            }
            MemorySegment name = arena.allocate(Libc.SOCKADDR_SIZE, 8);
            InetAddress ip = address.getAddress();
            byte[] b = ip.getAddress();
            int len = writeSockaddr(name, 0, family, b, address.getPort(),
                    ip instanceof Inet6Address v6 ? Math.max(0, v6.getScopeId()) : 0);
            Libc.bind(errno, fd, name, len, address.toString());
            Libc.getsockname(errno, fd, name, arena);
            InetSocketAddress local = new InetSocketAddress(ip, Short.toUnsignedInt(name.get(NET_SHORT, 2)));
            FfmUdpEndpoint endpoint = new FfmUdpEndpoint(loop, owner, fd, family, local, arena, errno);
            IoRegistration registration = loop.register(endpoint).sync().getNow();
            loop.submit(() -> {
                endpoint.registration = registration;
                registration.submit(EpollIoOps.EPOLLIN);
            }).sync();
            return endpoint;
        } catch (IOException | InterruptedException | RuntimeException e) {
            if (fd >= 0) {
                Libc.close(errno, fd);
            }
            arena.close();
            throw e;
        }
    }

    private static int writeSockaddr(MemorySegment s, long off, int family, byte[] address, int port, int scope) {
        if (family == Libc.AF_INET) {
            s.set(JAVA_SHORT, off, (short) Libc.AF_INET);
            s.set(NET_SHORT, off + 2, (short) port);
            MemorySegment.copy(address, 0, s, JAVA_BYTE, off + 4, 4);
            s.set(JAVA_LONG, off + 8, 0);
            return 16;
        }
        s.set(JAVA_SHORT, off, (short) Libc.AF_INET6);
        s.set(NET_SHORT, off + 2, (short) port);
        s.set(JAVA_INT, off + 4, 0);
        MemorySegment.copy(address, 0, s, JAVA_BYTE, off + 8, 16);
        s.set(JAVA_INT, off + 24, scope);
        return 28;
    }

    @Override
    public void handle(IoRegistration registration, IoEvent event) {
        if (closed) {
            return;
        }
        owner.readBatchStarted();
        try {
            for (int r = 0; r < READS_PER_EVENT; r++) {
                for (int i = 0; i < BATCH; i++) {
                    rxVec.set(JAVA_INT, i * Libc.MMSGHDR_SIZE + Libc.MSGHDR_NAMELEN, Libc.SOCKADDR_SIZE);
                }
                int n = Libc.recvmmsg(fd, rxVec, BATCH);
                if (n < 0) {
                    // Nothing more to read (EAGAIN), or an error: once more with errno to tell which.
                    n = Libc.recvmmsg(errno, fd, rxVec, BATCH);
                    if (n < 0) {
                        int e = Libc.errno(errno);
                        if (e != Libc.EAGAIN && e != Libc.EINTR) {
                            receiveErrors++;
                        }
                        break;
                    }
                }
                for (int i = 0; i < n; i++) {
                    deliver(i);
                }
                if (n < BATCH) {
                    break;
                }
            }
        } finally {
            owner.readBatchEnded();
        }
    }

    private void deliver(int i) {
        long m = i * Libc.MMSGHDR_SIZE;
        int len = rxVec.get(JAVA_INT, m + Libc.MMSGHDR_LEN);
        int flags = rxVec.get(JAVA_INT, m + Libc.MSGHDR_FLAGS);
        byte[] rx = owner.rx();
        if (len > MediaSocket.MAX_DATAGRAM || (flags & Libc.MSG_TRUNC) != 0) {
            len = MediaSocket.MAX_DATAGRAM + 1; // marks it oversized; the sink drops it
        } else {
            MemorySegment.copy(rxData, JAVA_BYTE, (long) RX_SLOT * i, rx, 0, len);
        }
        long a = (long) Libc.SOCKADDR_SIZE * i;
        int port = Short.toUnsignedInt(rxNames.get(NET_SHORT, a + 2));
        InetSocketAddress from = rxNames.get(JAVA_SHORT, a) == Libc.AF_INET
                ? peers.ipv4(rxNames.get(NET_INT, a + 4), port)
                : peers.ipv6(rxNames.get(NET_LONG, a + 8), rxNames.get(NET_LONG, a + 16), rxNames.get(JAVA_INT, a + 24),
                        port);
        try {
            owner.deliver(len, from, this);
        } catch (RuntimeException e) {
            // As Netty's pipeline did: one bad datagram must not stop the others of the batch.
            log.warn("event=media_socket_error address={} error={}", localAddress, e.toString());
        }
    }

    @Override
    public void send(byte[] buf, int off, int len, InetSocketAddress to) {
        if (!loop.inEventLoop()) {
            byte[] copy = Arrays.copyOfRange(buf, off, off + len);
            try {
                loop.execute(() -> send(copy, 0, copy.length, to));
            } catch (RejectedExecutionException e) {
                droppedSends++; // the port is closing
            }
            return;
        }
        if (closed || len > TX_SLOT) {
            droppedSends++;
            return;
        }
        int slot = peers.encode(to);
        int fam = peers.encodedFamily(slot) == PeerAddresses.IPV4 ? Libc.AF_INET : Libc.AF_INET6;
        if (fam != family) {
            droppedSends++; // an address of the other family cannot be reached from this socket
            return;
        }
        int i = txCount;
        long n = (long) Libc.SOCKADDR_SIZE * i;
        int nameLen;
        txNames.set(JAVA_SHORT, n, (short) fam);
        txNames.set(NET_SHORT, n + 2, (short) to.getPort());
        if (fam == Libc.AF_INET) {
            txNames.set(NET_INT, n + 4, (int) peers.encodedLo(slot));
            txNames.set(JAVA_LONG, n + 8, 0);
            nameLen = 16;
        } else {
            txNames.set(JAVA_INT, n + 4, 0);
            txNames.set(NET_LONG, n + 8, peers.encodedHi(slot));
            txNames.set(NET_LONG, n + 16, peers.encodedLo(slot));
            txNames.set(JAVA_INT, n + 24, peers.encodedScope(slot));
            nameLen = 28;
        }
        MemorySegment.copy(buf, off, txData, JAVA_BYTE, (long) TX_SLOT * i, len);
        txIov.set(JAVA_LONG, i * Libc.IOVEC_SIZE + Libc.IOVEC_LEN, len);
        txVec.set(JAVA_INT, i * Libc.MMSGHDR_SIZE + Libc.MSGHDR_NAMELEN, nameLen);
        txCount = i + 1;
        if (txCount == BATCH || !owner.written(this)) {
            flush();
        }
    }

    @Override
    public void flush() {
        int i = 0;
        while (i < txCount) {
            int n = Libc.sendmmsg(fd, txVecFrom[i], txCount - i);
            if (n < 0) {
                n = Libc.sendmmsg(errno, fd, txVecFrom[i], txCount - i); // again, to learn why
            }
            if (n > 0) {
                i += n;
                continue;
            }
            int e = Libc.errno(errno);
            if (e == Libc.EINTR) {
                continue;
            }
            if (e == Libc.EAGAIN) {
                // The socket's send buffer is full: media is dropped, never queued (ADR 0027).
                droppedSends += txCount - i;
                break;
            }
            droppedSends++; // this datagram cannot be sent (unreachable, refused by a firewall): the rest still can
            i++;
        }
        txCount = 0;
    }

    @Override
    public long droppedSends() {
        return droppedSends;
    }

    @Override
    public InetSocketAddress localAddress() {
        return localAddress;
    }

    @Override
    public FileDescriptor fd() {
        return nettyFd;
    }

    @Override
    public void close() {
        if (loop.inEventLoop()) {
            closeOnLoop();
            return;
        }
        try {
            loop.submit(this::closeOnLoop).awaitUninterruptibly(2, TimeUnit.SECONDS);
        } catch (RejectedExecutionException e) {
            closeOnLoop(); // the loop is gone: nothing else touches the socket any more
        }
    }

    private void closeOnLoop() {
        if (closed) {
            return;
        }
        closed = true;
        if (registration != null) {
            registration.cancel();
        }
        Libc.close(errno, fd);
        if (receiveErrors > 0 || droppedSends > 0) {
            log.info("event=media_socket_closed address={} receive_errors={} dropped_sends={}", localAddress,
                    receiveErrors, droppedSends);
        }
        arena.close();
    }

    @Override
    public String toString() {
        return localAddress.toString();
    }
}
