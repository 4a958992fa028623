package dev.convene.bench;

import dev.convene.media.transport.srtp.SrtpContext;
import dev.convene.media.transport.srtp.SrtpProfile;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * SRTP protect and unprotect of one 1,100-byte RTP packet, per profile. One operation is one
 * packet; ns/packet = 10^9 / score.
 *
 * <p>SRTP refuses an index twice, so every packet carries the next sequence number (the
 * rollover counter advances with it). {@link #protect} rewrites the header of one buffer and
 * protects it again in place: the payload is then ciphertext of ciphertext, which costs the
 * same. {@link #unprotect} needs packets that really authenticate: {@link Incoming} protects a
 * batch of them with a sender context before each call, outside the timed region; that setup
 * still allocates (one protect per packet), so {@link #incomingFixture} measures it alone and
 * its {@code gc.alloc.rate.norm} is to be subtracted from {@link #unprotect}'s.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class SrtpBenchmark {
    static final int BATCH = 256;
    private static final long SSRC = 0x1234_5678L;

    @State(Scope.Thread)
    public static class Outgoing {
        @Param({"AES_CM_128_HMAC_SHA1_80", "AEAD_AES_128_GCM"})
        SrtpProfile profile;

        SrtpContext context;
        Vp8Stream stream;
        final byte[] buf = new byte[Vp8Stream.BUFFER_LENGTH];

        @Setup(Level.Trial)
        public void setUp() {
            context = new SrtpContext(profile, Vp8Stream.keyBytes(profile.keyLength(), 1),
                    Vp8Stream.keyBytes(profile.saltLength(), 2));
            stream = new Vp8Stream(SSRC, 3);
            stream.copyPayload(buf, 0);
        }
    }

    @State(Scope.Thread)
    public static class Incoming {
        @Param({"AES_CM_128_HMAC_SHA1_80", "AEAD_AES_128_GCM"})
        SrtpProfile profile;

        SrtpContext sender;
        SrtpContext receiver;
        Vp8Stream stream;
        final byte[][] packets = new byte[BATCH][Vp8Stream.BUFFER_LENGTH];
        final int[] lengths = new int[BATCH];

        @Setup(Level.Trial)
        public void setUp() {
            byte[] key = Vp8Stream.keyBytes(profile.keyLength(), 1);
            byte[] salt = Vp8Stream.keyBytes(profile.saltLength(), 2);
            sender = new SrtpContext(profile, key, salt);
            receiver = new SrtpContext(profile, key, salt);
            stream = new Vp8Stream(SSRC, 3);
        }

        /** The next {@link #BATCH} packets of the stream, protected; not timed. */
        @Setup(Level.Invocation)
        public void protectBatch() {
            for (int i = 0; i < BATCH; i++) {
                int len = stream.writePacket(packets[i], 0);
                lengths[i] = Check.length(sender.protectRtp(packets[i], 0, len));
            }
        }
    }

    @Benchmark
    public int protect(Outgoing s) {
        int len = s.stream.writeHeader(s.buf, 0);
        return Check.length(s.context.protectRtp(s.buf, 0, len));
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void unprotect(Incoming s, Blackhole bh) {
        for (int i = 0; i < BATCH; i++) {
            bh.consume(Check.length(s.receiver.unprotectRtp(s.packets[i], 0, s.lengths[i])));
        }
    }

    /** Only the untimed batch setup of {@link #unprotect}: its allocation per packet. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int incomingFixture(Incoming s) {
        return s.lengths[BATCH - 1];
    }
}
