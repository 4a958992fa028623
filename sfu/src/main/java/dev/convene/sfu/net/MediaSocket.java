package dev.convene.sfu.net;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SFU's one UDP port. Every datagram is handed to the {@link DatagramSink} on the socket's
 * event loop, which owns all media state of the transports on this port: the packet path takes
 * no lock. Sends made on the loop are flushed once per read batch.
 */
public final class MediaSocket implements AutoCloseable {

    /** Receives datagrams on the event loop. {@code buf} is reused after the call returns. */
    public interface DatagramSink {
        void onDatagram(byte[] buf, int len, InetSocketAddress from);
    }

    /** Largest datagram we accept; bigger ones are truncated by the kernel and then dropped as malformed. */
    public static final int MAX_DATAGRAM = 2048;
    /** Spare bytes after a packet for the SRTP(C) tag and index. */
    public static final int TRAILER_ROOM = 64;

    private static final Logger log = LoggerFactory.getLogger(MediaSocket.class);

    private final EventLoopGroup group;
    private final Channel channel;
    private final byte[] rx = new byte[MAX_DATAGRAM + TRAILER_ROOM];
    /** True inside a read batch, whose end flushes; loop-confined. */
    private boolean reading;

    private MediaSocket(EventLoopGroup group, Channel channel) {
        this.group = group;
        this.channel = channel;
    }

    public static MediaSocket bind(InetSocketAddress address, DatagramSink sink) throws InterruptedException {
        boolean epoll = Epoll.isAvailable();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1,
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        Class<? extends DatagramChannel> type = epoll ? EpollDatagramChannel.class : NioDatagramChannel.class;
        MediaSocket[] self = new MediaSocket[1];
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                .channel(type)
                .option(ChannelOption.SO_RCVBUF, 4 << 20)
                .option(ChannelOption.SO_SNDBUF, 4 << 20)
                .handler(new SimpleChannelInboundHandler<DatagramPacket>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
                        self[0].reading = true;
                        self[0].receive(packet, sink);
                    }

                    @Override
                    public void channelReadComplete(ChannelHandlerContext ctx) {
                        self[0].reading = false;
                        ctx.flush();
                    }

                    @Override
                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                        log.warn("event=media_socket_error error={}", cause.toString());
                    }
                });
        try {
            Channel channel = bootstrap.bind(address).sync().channel();
            self[0] = new MediaSocket(group, channel);
            log.info("event=media_socket_bound address={} transport={}", channel.localAddress(), epoll ? "epoll" : "nio");
            return self[0];
        } catch (RuntimeException | InterruptedException e) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw e;
        }
    }

    private void receive(DatagramPacket packet, DatagramSink sink) {
        ByteBuf content = packet.content();
        int len = content.readableBytes();
        if (len > MAX_DATAGRAM) {
            len = MAX_DATAGRAM + 1; // marks it oversized; the sink drops it
        } else {
            content.getBytes(content.readerIndex(), rx, 0, len);
        }
        sink.onDatagram(rx, len, packet.sender());
    }

    /**
     * Sends a copy of {@code buf[off, off+len)}. Safe from any thread; inside a read batch it is
     * flushed with the batch, otherwise (timer tasks: RTCP reports, whose send time RTT is
     * measured from) at once.
     */
    public void send(byte[] buf, int off, int len, InetSocketAddress to) {
        ByteBuf out = channel.alloc().directBuffer(len);
        out.writeBytes(buf, off, len);
        DatagramPacket packet = new DatagramPacket(out, to);
        if (channel.eventLoop().inEventLoop() && reading) {
            channel.write(packet, channel.voidPromise());
        } else {
            channel.writeAndFlush(packet, channel.voidPromise());
        }
    }

    public EventLoop loop() {
        return channel.eventLoop();
    }

    public InetSocketAddress localAddress() {
        return (InetSocketAddress) channel.localAddress();
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
    }
}
