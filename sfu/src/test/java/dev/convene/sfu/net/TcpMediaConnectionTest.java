package dev.convene.sfu.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** One ICE-TCP connection's handler on Netty's {@link EmbeddedChannel}, with a fake clock. */
class TcpMediaConnectionTest {

    private static final long S = 1_000_000_000L;
    private static final TcpLimits LIMITS = new TcpLimits(10, 2048, Duration.ofSeconds(10), Duration.ofSeconds(30),
            Duration.ofSeconds(5), 3, 1024, 4096);

    private final MediaCounters counters = new MediaCounters();
    private final List<byte[]> frames = new ArrayList<>();
    private final List<TcpMediaConnection> closed = new ArrayList<>();
    private long now = 77 * S;
    private EmbeddedChannel channel;
    private TcpMediaConnection connection;

    @BeforeEach
    void open() {
        channel = new EmbeddedChannel();
        channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(LIMITS.writeBufferLow(), LIMITS.writeBufferHigh()));
        connection = new TcpMediaConnection(channel, new TcpFrameSink() {
            @Override
            public void onTcpFrame(TcpMediaConnection c, byte[] buf, int len) {
                frames.add(Arrays.copyOf(buf, len));
            }

            @Override
            public void onTcpClosed(TcpMediaConnection c) {
                closed.add(c);
            }
        }, counters, LIMITS, () -> now);
    }

    @Test
    void framesAreDeliveredAndCounted() {
        channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {0, 2, 1, 2, 0, 1, 3}));

        assertThat(frames).containsExactly(new byte[] {1, 2}, new byte[] {3});
        assertThat(counters.tcpFramesIn.sum()).isEqualTo(2);
    }

    @Test
    void sentPacketsAreFramedAndFlushed() {
        connection.send(new byte[] {9, 1, 2, 3, 9}, 1, 3);
        connection.send(new byte[] {4}, 0, 1);
        channel.runPendingTasks();

        assertThat(readAll()).containsExactly(0, 3, 1, 2, 3, 0, 1, 4);
    }

    @Test
    void anUnboundConnectionThatKeepsSendingFramesNoTransportWantsIsClosed() {
        for (int i = 0; i < LIMITS.maxRejectedFrames() - 1; i++) {
            connection.rejectedFrame();
        }
        assertThat(channel.isOpen()).isTrue();

        connection.rejectedFrame();

        assertThat(channel.isOpen()).isFalse();
        assertThat(closed).containsExactly(connection);
    }

    @Test
    void oversizedFramesCountAsRejectedToo() {
        byte[] oversized = new byte[2 + 3000];
        oversized[0] = (byte) (3000 >>> 8);
        oversized[1] = (byte) 3000;
        for (int i = 0; i < LIMITS.maxRejectedFrames(); i++) {
            channel.writeInbound(Unpooled.wrappedBuffer(oversized));
        }

        assertThat(counters.droppedTcpFrames.sum()).isEqualTo(LIMITS.maxRejectedFrames());
        assertThat(frames).isEmpty();
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void aBoundConnectionIsNotClosedForRejectedFrames() {
        connection.markBound();
        for (int i = 0; i < 10 * LIMITS.maxRejectedFrames(); i++) {
            connection.rejectedFrame();
        }
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void aConnectionWithoutAnIceCheckIsClosedByTheSweepAfterTheBindTimeout() {
        now += 9 * S;
        connection.sweep(now);
        assertThat(channel.isOpen()).isTrue();

        now += S;
        connection.sweep(now);

        assertThat(channel.isOpen()).isFalse();
        assertThat(counters.tcpClosedByLimits.sum()).isEqualTo(1);
        assertThat(closed).containsExactly(connection);
    }

    @Test
    void aBoundConnectionIsKeptAliveByFramesAndClosedWhenSilent() {
        connection.markBound();
        now += 25 * S;
        channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {0, 1, 7}));
        now += 29 * S;
        connection.sweep(now);
        assertThat(channel.isOpen()).isTrue();

        now += S;
        connection.sweep(now);
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void whenThePeerStopsReadingPacketsAreDroppedThenTheConnectionIsClosed() {
        connection.markBound();
        // Flushes stop short of the socket, so the bytes pile up in the send buffer as when the peer does not read.
        channel.pipeline().addFirst(new ChannelOutboundHandlerAdapter() {
            @Override
            public void flush(ChannelHandlerContext ctx) {
            }
        });
        connection.send(new byte[2000], 0, 2000);
        connection.send(new byte[2000], 0, 2000);
        assertThat(channel.isWritable()).isFalse();
        connection.send(new byte[20], 0, 20);
        assertThat(counters.droppedTcpSends.sum()).isEqualTo(1);

        now += 4 * S;
        connection.sweep(now);
        assertThat(channel.isOpen()).isTrue();
        now += S;
        connection.sweep(now);

        assertThat(channel.isOpen()).isFalse();
    }

    private List<Integer> readAll() {
        List<Integer> out = new ArrayList<>();
        for (ByteBuf b; (b = channel.readOutbound()) != null; ) {
            while (b.isReadable()) {
                out.add((int) b.readByte());
            }
            b.release();
        }
        return out;
    }
}
