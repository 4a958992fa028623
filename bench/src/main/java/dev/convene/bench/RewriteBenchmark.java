package dev.convene.bench;

import dev.convene.media.core.codec.Codec;
import dev.convene.media.core.rtp.RtpPacket;
import dev.convene.media.routing.PayloadTypeMap;
import dev.convene.media.routing.RewriteResult;
import dev.convene.media.routing.RtpStreamRewriter;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * {@link RtpStreamRewriter#rewrite} on a VP8 stream: SSRC, payload type, sequence number,
 * timestamp, PictureID and TL0PICIDX rewritten in place. One operation is one packet.
 *
 * <p>The rewrite changes the SSRC, so each packet's input header is written again first
 * (19 bytes, no payload copy); {@link #headerFixture} is that work alone, to subtract.
 * ns/packet = 10^9 / score.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class RewriteBenchmark {
    static final long PUBLISHER_SSRC = 0x1111_2222L;
    static final long SUBSCRIBER_SSRC = 0x3333_4444L;
    static final int SUBSCRIBER_PAYLOAD_TYPE = 100;
    /** 100 packets/s: the arrival clock only matters at a source switch. */
    static final long PACKET_INTERVAL_NANOS = 10_000_000L;

    @State(Scope.Thread)
    public static class Stream {
        Vp8Stream stream;
        RtpStreamRewriter rewriter;
        final RtpPacket packet = new RtpPacket();
        final byte[] buf = new byte[Vp8Stream.BUFFER_LENGTH];
        long arrivalNanos;

        @Setup(Level.Trial)
        public void setUp() {
            stream = new Vp8Stream(PUBLISHER_SSRC, 4);
            stream.copyPayload(buf, 0);
            rewriter = new RtpStreamRewriter(SUBSCRIBER_SSRC, Vp8Stream.CLOCK_RATE,
                    PayloadTypeMap.of(Vp8Stream.PAYLOAD_TYPE, SUBSCRIBER_PAYLOAD_TYPE, Codec.VP8));
            rewriter.switchTo(PUBLISHER_SSRC);
        }
    }

    @Benchmark
    public RewriteResult rewrite(Stream s) {
        int len = s.stream.writeHeader(s.buf, 0);
        s.packet.wrap(s.buf, 0, len);
        return Check.forwarded(s.rewriter.rewrite(s.packet, s.arrivalNanos += PACKET_INTERVAL_NANOS));
    }

    /** The input header and the wrap of {@link #rewrite}, without the rewrite. */
    @Benchmark
    public void headerFixture(Stream s, Blackhole bh) {
        int len = s.stream.writeHeader(s.buf, 0);
        bh.consume(s.packet.wrap(s.buf, 0, len));
        bh.consume(s.arrivalNanos += PACKET_INTERVAL_NANOS);
    }
}
