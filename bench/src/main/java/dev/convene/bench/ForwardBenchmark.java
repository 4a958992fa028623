package dev.convene.bench;

import dev.convene.media.core.codec.Codec;
import dev.convene.media.core.rtp.RtpPacket;
import dev.convene.media.routing.PayloadTypeMap;
import dev.convene.media.routing.RtpStreamRewriter;
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
 * The SFU's work for one incoming video packet with {@code subscribers} receivers, minus the
 * socket: unprotect once with the publisher's context, then per subscriber copy into the
 * transmit buffer, wrap, rewrite and protect with that subscriber's context, as
 * {@code Participant#onRtp} and {@code WebRtcTransport#sendRtp} do. One operation is one
 * incoming packet; ns per forwarded packet = 10^9 / score / subscribers.
 *
 * <p>The publisher's packets are protected in batches before each call, outside the timed
 * region ({@link #protectBatch}); that setup allocates like one protect per packet, which
 * {@link #incomingFixture} measures alone so that it can be subtracted from
 * {@link #forward}'s {@code gc.alloc.rate.norm}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
public class ForwardBenchmark {
    static final int BATCH = 64;
    private static final long PUBLISHER_SSRC = 0x0A0B_0C0DL;
    private static final int SUBSCRIBER_PAYLOAD_TYPE = 100;
    private static final long PACKET_INTERVAL_NANOS = 10_000_000L;

    @Param({"1", "10", "99"})
    int subscribers;

    @Param({"AEAD_AES_128_GCM", "AES_CM_128_HMAC_SHA1_80"})
    SrtpProfile profile;

    private Vp8Stream stream;
    /** The publisher's browser: what makes the incoming packets. */
    private SrtpContext publisherSender;
    /** The SFU's inbound context on the publisher transport. */
    private SrtpContext publisherReceiver;
    private SrtpContext[] subscriberSenders;
    private RtpStreamRewriter[] rewriters;

    private final RtpPacket inbound = new RtpPacket();
    private final RtpPacket outbound = new RtpPacket();
    /** One transmit buffer reused for every subscriber, as the SFU's event loop does. */
    private final byte[] tx = new byte[Vp8Stream.BUFFER_LENGTH];
    private final byte[][] packets = new byte[BATCH][Vp8Stream.BUFFER_LENGTH];
    private final int[] lengths = new int[BATCH];
    private long arrivalNanos;

    @Setup(Level.Trial)
    public void setUp() {
        byte[] key = Vp8Stream.keyBytes(profile.keyLength(), 10);
        byte[] salt = Vp8Stream.keyBytes(profile.saltLength(), 11);
        publisherSender = new SrtpContext(profile, key, salt);
        publisherReceiver = new SrtpContext(profile, key, salt);
        stream = new Vp8Stream(PUBLISHER_SSRC, 12);
        PayloadTypeMap payloadTypes = PayloadTypeMap.of(Vp8Stream.PAYLOAD_TYPE, SUBSCRIBER_PAYLOAD_TYPE, Codec.VP8);
        subscriberSenders = new SrtpContext[subscribers];
        rewriters = new RtpStreamRewriter[subscribers];
        for (int i = 0; i < subscribers; i++) {
            subscriberSenders[i] = new SrtpContext(profile, Vp8Stream.keyBytes(profile.keyLength(), 100 + i),
                    Vp8Stream.keyBytes(profile.saltLength(), 200 + i));
            rewriters[i] = new RtpStreamRewriter(0x5000_0000L + i, Vp8Stream.CLOCK_RATE, payloadTypes);
            rewriters[i].switchTo(PUBLISHER_SSRC);
        }
    }

    /** The publisher's next {@link #BATCH} packets, protected; not timed. */
    @Setup(Level.Invocation)
    public void protectBatch() {
        for (int i = 0; i < BATCH; i++) {
            int len = stream.writePacket(packets[i], 0);
            lengths[i] = Check.length(publisherSender.protectRtp(packets[i], 0, len));
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void forward(Blackhole bh) {
        for (int p = 0; p < BATCH; p++) {
            byte[] buf = packets[p];
            int len = Check.length(publisherReceiver.unprotectRtp(buf, 0, lengths[p]));
            if (!inbound.wrap(buf, 0, len)) {
                throw new IllegalStateException("not RTP after unprotect");
            }
            long now = arrivalNanos += PACKET_INTERVAL_NANOS;
            for (int s = 0; s < subscribers; s++) {
                System.arraycopy(buf, 0, tx, 0, len);
                outbound.wrap(tx, 0, len);
                Check.forwarded(rewriters[s].rewrite(outbound, now));
                bh.consume(Check.length(subscriberSenders[s].protectRtp(tx, 0, len)));
            }
        }
    }

    /** Only the untimed batch setup of {@link #forward}: its allocation per incoming packet. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int incomingFixture() {
        return lengths[BATCH - 1];
    }
}
