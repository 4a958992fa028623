package dev.convene.sfu.net;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One UDP media port of the SFU: one socket per local address, all on the same port and on one
 * Netty event loop, which owns all media state of the transports on this port, so the packet
 * path takes no lock. A node with several media loops has one such port per loop (ADR 0036). One socket per address (rather than one wildcard socket) is what makes
 * every reply leave from the address its request reached: see ADR 0007. Every datagram is
 * handed to the {@link DatagramSink} with the endpoint it arrived on; sends made on the loop
 * are flushed once per read batch. On JDK 22+ with epoll each socket is an {@code FfmUdpEndpoint}
 * ({@code recvmmsg}/{@code sendmmsg}, nothing allocated per datagram, ADR 0027), otherwise a Netty
 * datagram channel.
 */
public final class MediaSocket implements AutoCloseable {

    /** Receives datagrams on the event loop. {@code buf} is reused after the call returns. */
    public interface DatagramSink {
        void onDatagram(byte[] buf, int len, InetSocketAddress from, MediaEndpoint via);
    }

    /** What an endpoint that reads datagrams itself (not through a Netty channel) calls on the loop. */
    interface Reader {
        /** The array to copy a datagram into before {@link #deliver}. */
        byte[] rx();

        void readBatchStarted();

        void deliver(int len, InetSocketAddress from, MediaEndpoint via);

        /** Flushes every endpoint written to during the batch. */
        void readBatchEnded();

        /**
         * {@code endpoint} has unsent datagrams: true if they will be flushed at the end of the
         * current read batch, false if there is none and the endpoint must flush itself.
         */
        boolean written(UdpEndpoint endpoint);
    }

    /** Largest datagram we accept; bigger ones are truncated by the kernel and then dropped as malformed. */
    public static final int MAX_DATAGRAM = 2048;
    /** Spare bytes after a packet for the SRTP(C) tag and index. */
    public static final int TRAILER_ROOM = 64;
    /** Tries at finding one ephemeral port free on every address, when port 0 is asked for. */
    private static final int EPHEMERAL_ATTEMPTS = 8;
    /**
     * {@code -Dconvene.media.io=netty} keeps Netty's datagram channel where the FFM socket would
     * be used (to compare the two); without epoll or below JDK 22 it is the only one.
     */
    static final String IO_PROPERTY = "convene.media.io";

    private static final Logger log = LoggerFactory.getLogger(MediaSocket.class);
    /** {@code FfmUdpEndpoint.bind}, compiled from {@code src/main/java22}; null where it cannot run. */
    private static final MethodHandle FFM_BIND = ffmBinder();

    private final EventLoopGroup group;
    private final DatagramSink sink;
    private List<UdpEndpoint> endpoints = List.of();
    private final byte[] rx = new byte[MAX_DATAGRAM + TRAILER_ROOM];
    /** Endpoints written to on the loop since the last flush; loop-confined. */
    private final List<UdpEndpoint> unflushed = new ArrayList<>();
    private final Runnable flushTask = this::flushWritten;
    /** True while an endpoint delivers a read batch: its end flushes what the batch wrote. */
    private boolean reading;
    private final Reader reader = new Reader() {
        @Override
        public byte[] rx() {
            return rx;
        }

        @Override
        public void readBatchStarted() {
            reading = true;
        }

        @Override
        public void deliver(int len, InetSocketAddress from, MediaEndpoint via) {
            sink.onDatagram(rx, len, from, via);
        }

        @Override
        public void readBatchEnded() {
            reading = false;
            flushWritten();
        }

        @Override
        public boolean written(UdpEndpoint endpoint) {
            if (!reading) {
                return false;
            }
            if (!unflushed.contains(endpoint)) {
                unflushed.add(endpoint);
            }
            return true;
        }
    };

    private MediaSocket(EventLoopGroup group, DatagramSink sink) {
        this.group = group;
        this.sink = sink;
    }

    private static MethodHandle ffmBinder() {
        if (Runtime.version().feature() < 22 || !Epoll.isAvailable() || "netty".equals(System.getProperty(IO_PROPERTY))) {
            return null;
        }
        try {
            Class<?> type = Class.forName(MediaSocket.class.getPackageName() + ".FfmUdpEndpoint");
            return MethodHandles.lookup().findStatic(type, "bind",
                    MethodType.methodType(UdpEndpoint.class, IoEventLoop.class, InetSocketAddress.class, Reader.class));
        } catch (ReflectiveOperationException | LinkageError e) {
            // A jar built on JDK 21 has no FFM classes: Netty's channel does the work, allocating per datagram.
            log.info("event=media_io_fallback reason=\"{}\"", e.toString());
            return null;
        }
    }

    /**
     * Binds {@code port} on each of {@code addresses}. With port 0 one free port is chosen that
     * is free on every address. Any failure fails the whole bind.
     */
    public static MediaSocket bind(List<InetAddress> addresses, int port, DatagramSink sink) throws InterruptedException {
        return bind(addresses, port, sink, false);
    }

    /**
     * As {@link #bind(List, int, DatagramSink)}; with {@code skipUnusable}, an address that
     * cannot be bound for another reason than the port being taken (an IPv6 address still in
     * duplicate address detection, one removed since it was listed) is left out and logged,
     * as long as one address remains.
     */
    public static MediaSocket bind(List<InetAddress> addresses, int port, DatagramSink sink, boolean skipUnusable)
            throws InterruptedException {
        return bind(addresses, port, sink, skipUnusable, "convene-media");
    }

    /**
     * As {@link #bind(List, int, DatagramSink, boolean)}, the loop's thread named after
     * {@code threadName} (a node with several media loops names each after its index).
     */
    public static MediaSocket bind(List<InetAddress> addresses, int port, DatagramSink sink, boolean skipUnusable,
            String threadName) throws InterruptedException {
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException("the media port needs at least one local address");
        }
        boolean epoll = Epoll.isAvailable();
        // One thread: every endpoint's channel is registered on the same loop.
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory(threadName),
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        try {
            for (int attempt = 1; ; attempt++) {
                MediaSocket socket = new MediaSocket(group, sink);
                List<UdpEndpoint> bound = new ArrayList<>();
                try {
                    int chosen = port;
                    for (InetAddress address : addresses) {
                        UdpEndpoint endpoint;
                        try {
                            endpoint = socket.bindOne(epoll, new InetSocketAddress(address, chosen));
                        } catch (RuntimeException e) {
                            if (!skipUnusable || isBindConflict(e)) {
                                throw e;
                            }
                            log.warn("event=media_address_skipped address={} error=\"{}\"", address.getHostAddress(),
                                    e.getMessage());
                            continue;
                        }
                        bound.add(endpoint);
                        chosen = endpoint.localAddress().getPort();
                    }
                    if (bound.isEmpty()) {
                        throw new IllegalStateException("none of " + addresses + " could be bound for media");
                    }
                    socket.endpoints = List.copyOf(bound);
                    log.info("event=media_socket_bound addresses={} transport={}",
                            bound.stream().map(e -> e.localAddress().toString()).toList(),
                            FFM_BIND != null ? "ffm-recvmmsg" : epoll ? "epoll" : "nio");
                    return socket;
                } catch (RuntimeException e) {
                    bound.forEach(UdpEndpoint::close);
                    boolean retry = port == 0 && attempt < EPHEMERAL_ATTEMPTS && isBindConflict(e);
                    if (!retry) {
                        throw e;
                    }
                }
            }
        } catch (RuntimeException | InterruptedException e) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw e;
        }
    }

    private UdpEndpoint bindOne(boolean epoll, InetSocketAddress address) throws InterruptedException {
        if (FFM_BIND == null) {
            return Endpoint.bind(this, group, epoll, address);
        }
        try {
            return (UdpEndpoint) FFM_BIND.invokeExact((IoEventLoop) group.next(), address, reader);
        } catch (RuntimeException | InterruptedException e) {
            throw e;
        } catch (Throwable e) {
            // Named like Netty's failure, so a port taken on one address is retried the same way.
            throw new IllegalStateException("cannot bind media UDP " + address + ": " + e.getMessage(), e);
        }
    }

    private static boolean isBindConflict(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException || String.valueOf(t.getMessage()).contains("Address already in use")) {
                return true;
            }
        }
        return false;
    }

    /** The local addresses of the port, in the order they were given. */
    public List<MediaEndpoint> endpoints() {
        return List.copyOf(endpoints);
    }

    public int port() {
        return endpoints.getFirst().localAddress().getPort();
    }

    public EventLoop loop() {
        return group.next();
    }

    /** Whether datagrams go through our own {@code recvmmsg}/{@code sendmmsg} (FFM) rather than Netty's channel. */
    public boolean batchedNativeIo() {
        return FFM_BIND != null;
    }

    /** Datagrams the port could not send, over its life. */
    public long droppedSends() {
        long n = 0;
        for (UdpEndpoint e : endpoints) {
            n += e.droppedSends();
        }
        return n;
    }

    @Override
    public void close() {
        endpoints.forEach(UdpEndpoint::close);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
    }

    /**
     * Writes on the loop are batched: a packet read on one endpoint may be forwarded from
     * another, so every endpoint written to is flushed at the end of the read batch, or by a task
     * queued behind the current one when the write did not come from a read.
     */
    private void written(UdpEndpoint endpoint) {
        if (unflushed.contains(endpoint)) {
            return;
        }
        if (unflushed.isEmpty() && !reading) {
            loop().execute(flushTask);
        }
        unflushed.add(endpoint);
    }

    private void flushWritten() {
        for (int i = 0; i < unflushed.size(); i++) {
            unflushed.get(i).flush();
        }
        unflushed.clear();
    }

    private void receive(DatagramPacket packet, Endpoint via) {
        ByteBuf content = packet.content();
        int len = content.readableBytes();
        if (len > MAX_DATAGRAM) {
            len = MAX_DATAGRAM + 1; // marks it oversized; the sink drops it
        } else {
            content.getBytes(content.readerIndex(), rx, 0, len);
        }
        sink.onDatagram(rx, len, packet.sender(), via);
    }

    /** One bound address read and written through Netty's datagram channel: the fallback below JDK 22 or without epoll. */
    private static final class Endpoint implements UdpEndpoint {
        private final Channel channel;
        private final InetSocketAddress localAddress;
        private final MediaSocket owner;

        private Endpoint(Channel channel, MediaSocket owner) {
            this.channel = channel;
            this.localAddress = (InetSocketAddress) channel.localAddress();
            this.owner = owner;
        }

        static Endpoint bind(MediaSocket owner, EventLoopGroup group, boolean epoll, InetSocketAddress address)
                throws InterruptedException {
            Class<? extends DatagramChannel> type = epoll ? EpollDatagramChannel.class : NioDatagramChannel.class;
            Endpoint[] self = new Endpoint[1];
            Bootstrap bootstrap = new Bootstrap()
                    .group(group)
                    .channel(type)
                    .option(ChannelOption.SO_RCVBUF, 4 << 20)
                    .option(ChannelOption.SO_SNDBUF, 4 << 20)
                    .handler(new SimpleChannelInboundHandler<DatagramPacket>() {
                        @Override
                        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
                            Endpoint endpoint = self[0];
                            if (endpoint != null) {
                                owner.receive(packet, endpoint);
                            }
                        }

                        @Override
                        public void channelReadComplete(ChannelHandlerContext ctx) {
                            owner.flushWritten();
                        }

                        @Override
                        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                            log.warn("event=media_socket_error address={} error={}", ctx.channel().localAddress(),
                                    cause.toString());
                        }
                    });
            ChannelFuture bound = bootstrap.bind(address).await();
            if (!bound.isSuccess()) {
                // sync() would rethrow a checked BindException unchecked; name the address instead.
                throw new IllegalStateException("cannot bind media UDP " + address + ": " + bound.cause().getMessage(),
                        bound.cause());
            }
            self[0] = new Endpoint(bound.channel(), owner);
            return self[0];
        }

        @Override
        public void send(byte[] buf, int off, int len, InetSocketAddress to) {
            ByteBuf out = channel.alloc().directBuffer(len);
            out.writeBytes(buf, off, len);
            DatagramPacket packet = new DatagramPacket(out, to);
            if (channel.eventLoop().inEventLoop()) {
                channel.write(packet, channel.voidPromise());
                owner.written(this);
            } else {
                channel.writeAndFlush(packet, channel.voidPromise());
            }
        }

        @Override
        public void flush() {
            channel.flush();
        }

        @Override
        public long droppedSends() {
            return 0; // Netty queues what the socket does not take at once
        }

        @Override
        public InetSocketAddress localAddress() {
            return localAddress;
        }

        @Override
        public void close() {
            channel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }

        @Override
        public String toString() {
            return localAddress.toString();
        }
    }
}
