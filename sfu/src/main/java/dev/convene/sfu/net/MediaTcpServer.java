package dev.convene.sfu.net;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SFU's ICE-TCP port (RFC 6544 passive candidates, RFC 4571 framing), for clients whose UDP
 * is blocked. The listening socket and every connection live on the media socket's event loop,
 * so frames reach the transports on the same thread as datagrams and the packet path keeps
 * taking no lock. Connections are bounded in number, in buffered bytes and in lifetime
 * ({@link TcpLimits}); a sweep each second closes the ones that overstayed.
 */
public final class MediaTcpServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(MediaTcpServer.class);

    private final Channel serverChannel;
    private final EventLoop loop;
    private final Set<TcpMediaConnection> connections;
    private final ScheduledFuture<?> sweeper;

    private MediaTcpServer(Channel serverChannel, EventLoop loop, Set<TcpMediaConnection> connections,
            ScheduledFuture<?> sweeper) {
        this.serverChannel = serverChannel;
        this.loop = loop;
        this.connections = connections;
        this.sweeper = sweeper;
    }

    /**
     * Listens on {@code address} with every channel on {@code loop}, which must be the media
     * socket's (an epoll loop when epoll is available, as {@link MediaSocket} makes it).
     *
     * @param clock {@link System#nanoTime()} or a test's clock, for the limits' timeouts
     * @throws IllegalStateException if the port cannot be bound
     */
    public static MediaTcpServer bind(EventLoop loop, InetSocketAddress address, TcpFrameSink sink, MediaCounters counters,
            TcpLimits limits, LongSupplier clock) throws InterruptedException {
        Set<TcpMediaConnection> connections = new HashSet<>();
        Class<? extends ServerChannel> type = Epoll.isAvailable() ? EpollServerSocketChannel.class
                : NioServerSocketChannel.class;
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(loop, loop)
                .channel(type)
                .option(ChannelOption.SO_BACKLOG, 256)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(limits.writeBufferLow(), limits.writeBufferHigh()))
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        counters.tcpAccepted.increment();
                        if (connections.size() >= limits.maxConnections()) {
                            counters.tcpRefused.increment();
                            ch.close();
                            return;
                        }
                        TcpMediaConnection connection = new TcpMediaConnection(ch, new TcpFrameSink() {
                            @Override
                            public void onTcpFrame(TcpMediaConnection c, byte[] buf, int len) {
                                sink.onTcpFrame(c, buf, len);
                            }

                            @Override
                            public void onTcpClosed(TcpMediaConnection c) {
                                connections.remove(c);
                                sink.onTcpClosed(c);
                            }
                        }, counters, limits, clock);
                        connections.add(connection);
                    }
                });
        Channel channel;
        try {
            channel = bootstrap.bind(address).sync().channel();
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            // Netty rethrows the bind's IOException unchecked.
            throw new IllegalStateException("cannot listen for ICE-TCP on " + address + ": " + e.getMessage(), e);
        }
        ScheduledFuture<?> sweeper = loop.scheduleAtFixedRate(() -> {
            long now = clock.getAsLong();
            for (TcpMediaConnection c : connections.toArray(TcpMediaConnection[]::new)) {
                c.sweep(now);
            }
        }, 1, 1, TimeUnit.SECONDS);
        log.info("event=ice_tcp_listening address={}", channel.localAddress());
        return new MediaTcpServer(channel, loop, connections, sweeper);
    }

    public InetSocketAddress localAddress() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    /** Open connections. On the loop, or a snapshot taken there. */
    public int connectionCount() {
        if (loop.inEventLoop()) {
            return connections.size();
        }
        return loop.submit(connections::size).syncUninterruptibly().getNow();
    }

    /** Stops listening and closes every connection; waits at most a few seconds. */
    @Override
    public void close() {
        sweeper.cancel(false);
        serverChannel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        if (!loop.isShuttingDown()) {
            loop.submit(() -> {
                for (TcpMediaConnection c : connections.toArray(TcpMediaConnection[]::new)) {
                    c.close("shutdown");
                }
            }).awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
    }
}
