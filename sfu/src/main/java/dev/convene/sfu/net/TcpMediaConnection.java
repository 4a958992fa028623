package dev.convene.sfu.net;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One accepted ICE-TCP connection (RFC 6544, the SFU as the passive side): RFC 4571 frames in,
 * each handed to the {@link TcpFrameSink} like a datagram of the UDP port; packets out framed
 * the same way. As a {@link MediaPath} it is what a transport sends on when its selected pair is
 * this connection.
 *
 * <p>State lives on the media event loop. Sends from other threads (DTLS handshakes) go through
 * Netty's own hand-off. Sends on the loop are written at once and flushed once per loop pass, so
 * a burst of forwarded packets costs one system call. A packet that finds the send buffer above
 * its high-water mark is dropped and counted: late media is worse than lost media, and the
 * connection's memory stays bounded.
 */
public final class TcpMediaConnection implements MediaPath {

    private static final Logger log = LoggerFactory.getLogger(TcpMediaConnection.class);

    private final Channel channel;
    private final InetSocketAddress remoteAddress;
    private final TcpFrameSink sink;
    private final MediaCounters counters;
    private final TcpLimits limits;
    private final LongSupplier clock;
    private final Rfc4571Deframer deframer;
    private final Rfc4571Deframer.FrameSink frames = new Rfc4571Deframer.FrameSink() {
        @Override
        public void onFrame(byte[] buf, int len) {
            lastFrameNanos = clock.getAsLong();
            counters.tcpFramesIn.increment();
            if (closeReason != null) {
                // Closed while this read was being cut into frames: the rest belongs to no one.
                counters.droppedTcpFrames.increment();
                return;
            }
            sink.onTcpFrame(TcpMediaConnection.this, buf, len);
        }

        @Override
        public void onDroppedFrame(int declaredLength) {
            lastFrameNanos = clock.getAsLong();
            counters.tcpFramesIn.increment();
            counters.droppedTcpFrames.increment();
            rejectedFrame();
        }
    };
    private final Runnable flushTask = this::flushNow;

    private final long openedNanos;
    private long lastFrameNanos;
    private boolean unwritable;
    private long unwritableSinceNanos;
    private boolean bound;
    private int rejectedFrames;
    private boolean flushScheduled;
    private String closeReason;

    TcpMediaConnection(Channel channel, TcpFrameSink sink, MediaCounters counters, TcpLimits limits, LongSupplier clock) {
        this.channel = channel;
        this.remoteAddress = channel.remoteAddress() instanceof InetSocketAddress address ? address
                : new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        this.sink = sink;
        this.counters = counters;
        this.limits = limits;
        this.clock = clock;
        this.deframer = new Rfc4571Deframer(limits.maxFrame(), MediaSocket.TRAILER_ROOM);
        this.openedNanos = clock.getAsLong();
        this.lastFrameNanos = openedNanos;
        channel.pipeline().addLast("ice-tcp", new Handler());
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return remoteAddress;
    }

    @Override
    public void send(byte[] buf, int off, int len) {
        if (len > 0xFFFF || !channel.isActive()) {
            counters.droppedTcpSends.increment();
            return;
        }
        if (!channel.isWritable()) {
            counters.droppedTcpSends.increment();
            return;
        }
        ByteBuf out = channel.alloc().directBuffer(2 + len);
        Rfc4571Deframer.writeHeader(out, len);
        out.writeBytes(buf, off, len);
        if (channel.eventLoop().inEventLoop()) {
            channel.write(out, channel.voidPromise());
            if (!flushScheduled) {
                flushScheduled = true;
                channel.eventLoop().execute(flushTask);
            }
        } else {
            channel.writeAndFlush(out, channel.voidPromise());
        }
    }

    private void flushNow() {
        flushScheduled = false;
        channel.flush();
    }

    /** A valid ICE check arrived on it: from now on it belongs to a transport. On the loop. */
    public void markBound() {
        bound = true;
    }

    public boolean isBound() {
        return bound;
    }

    /**
     * A frame of this connection reached no transport (garbage, an unknown ICE user, media before
     * any check). An unbound connection that keeps doing that is not an ICE peer: it is closed.
     */
    public void rejectedFrame() {
        if (!bound && ++rejectedFrames >= limits.maxRejectedFrames()) {
            close("rejected_frames");
        }
    }

    /** Closes the connection; the sink hears {@link TcpFrameSink#onTcpClosed} once it is gone. */
    public void close(String reason) {
        if (closeReason == null) {
            closeReason = reason;
        }
        channel.close();
    }

    /** Closes the connection if {@link TcpLimits} says so. On the loop. */
    void sweep(long nowNanos) {
        Optional<String> reason = limits.closeReason(bound, openedNanos, lastFrameNanos, unwritable,
                unwritableSinceNanos, nowNanos);
        if (reason.isPresent()) {
            counters.tcpClosedByLimits.increment();
            close(reason.get());
        }
    }

    @Override
    public String toString() {
        return "tcp:" + remoteAddress;
    }

    private final class Handler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof ByteBuf in)) {
                ctx.fireChannelRead(msg);
                return;
            }
            try {
                if (channel.isActive()) {
                    deframer.feed(in, frames);
                }
            } finally {
                in.release();
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            // Answers (STUN responses, DTLS flights) written while reading leave with this batch.
            ctx.flush();
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            boolean nowUnwritable = !channel.isWritable();
            if (nowUnwritable && !unwritable) {
                unwritableSinceNanos = clock.getAsLong();
            }
            unwritable = nowUnwritable;
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            String reason = closeReason == null ? "peer_closed" : closeReason;
            if (bound) {
                log.info("event=ice_tcp_closed remote={} reason={}", remoteAddress, reason);
            } else {
                log.debug("event=ice_tcp_closed remote={} reason={} bound=false", remoteAddress, reason);
            }
            sink.onTcpClosed(TcpMediaConnection.this);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // Resets and the like: the connection is over, others are not concerned.
            close("error");
            log.debug("event=ice_tcp_error remote={} error={}", remoteAddress, cause.toString());
        }
    }
}
