package dev.convene.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.convene.client.ConveneClient;
import dev.convene.client.LocalTrack;
import dev.convene.client.MediaTransportClient;
import dev.convene.sfu.net.MediaCounters;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * 10,000 datagrams of garbage at the SFU's media port, from a socket no transport owns, while
 * two Java clients are in a meeting: every one must be counted as dropped (none may
 * authenticate or reach a transport), and the meeting's media must keep flowing.
 */
@Timeout(120)
class JavaClientGarbageUdpTest {

    private static final int GARBAGE = 10_000;
    /**
     * Datagrams sent before waiting for the SFU to count them, so the socket's receive buffer
     * never overflows: a datagram the kernel drops is never counted, and the test must not
     * confuse that with the SFU's handling.
     */
    private static final int BATCH = 100;
    private static final long SEED = 20261124L;

    /** The demultiplexer's classes (RFC 7983) and what lies between them. */
    private enum Shape {
        STUN, STUN_HEADER, DTLS, DTLS_RECORD, RTP, RTP_OF_A_REAL_SSRC, RTCP, OTHER
    }

    @Test
    void tenThousandGarbageDatagramsAreAllDroppedAndMediaKeepsFlowing() throws Exception {
        try (JavaClientFixture fixture = new JavaClientFixture();
                DatagramChannel attacker = DatagramChannel.open()) {
            ConveneClient ada = fixture.join("Ada");
            ConveneClient grace = fixture.join("Grace");
            ada.publish();
            grace.publish();
            List<ConveneClient> both = List.of(ada, grace);
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertMediaRoseSince(both, Map.of(), 20));

            MediaCounters counters = fixture.server.sfu().counters();
            long droppedBefore = counters.dropped();
            long datagramsBefore = counters.datagramsIn.sum();
            Map<String, Long> mediaBefore = packetCounts(both);
            long[] realSsrcs = both.stream().flatMap(c -> c.localTracks().stream()).mapToLong(LocalTrack::ssrc).toArray();

            attacker.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            InetSocketAddress sfu = new InetSocketAddress(InetAddress.getLoopbackAddress(), fixture.server.sfu().mediaPort());
            Map<Shape, Integer> shapes = flood(counters, realSsrcs, GARBAGE, shape -> true, d -> {
                try {
                    attacker.send(ByteBuffer.wrap(d), sfu);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });

            assertThat(shapes).as("every demux class was covered").hasSize(Shape.values().length);
            assertThat(counters.datagramsIn.sum() - datagramsBefore).isGreaterThanOrEqualTo(GARBAGE);
            assertThat(counters.dropped() - droppedBefore).as("garbage datagrams counted as dropped")
                    .isGreaterThanOrEqualTo(GARBAGE);
            // Media goes on after the flood.
            Map<String, Long> afterFlood = packetCounts(both);
            assertThat(afterFlood).allSatisfy((k, v) -> assertThat(v).isGreaterThanOrEqualTo(mediaBefore.get(k)));
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertMediaRoseSince(both, afterFlood, 20));
            for (ConveneClient c : both) {
                assertThat(c.subscriberTransport().orElseThrow().stats().unprotectFailures()).isZero();
                assertThat(c.signaling().isOpen()).isTrue();
            }
        }
    }

    /**
     * The same garbage from Ada's own publisher address: the 5-tuple the SFU has validated
     * with ICE. STUN must fail integrity, RTP and RTCP must fail SRTP authentication, DTLS bytes
     * that are not whole records are refused (all counted as dropped), and her transport must
     * survive: her media keeps reaching Grace. Well-formed DTLS records of garbage reach the
     * DTLS engine, which discards them after the handshake; they are sent too, and must not end
     * the association, but are not part of the count.
     */
    @Test
    void garbageFromAParticipantsOwnAddressNeverAuthenticatesAndHurtsNoOne() throws Exception {
        try (JavaClientFixture fixture = new JavaClientFixture()) {
            ConveneClient ada = fixture.join("Ada");
            ConveneClient grace = fixture.join("Grace");
            ada.publish();
            grace.publish();
            List<ConveneClient> both = List.of(ada, grace);
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertMediaRoseSince(both, Map.of(), 20));

            MediaCounters counters = fixture.server.sfu().counters();
            long droppedBefore = counters.dropped();
            long srtpDroppedBefore = counters.droppedSrtp.sum();
            long[] realSsrcs = both.stream().flatMap(c -> c.localTracks().stream()).mapToLong(LocalTrack::ssrc).toArray();
            MediaTransportClient adaPublisher = ada.publisherTransport().orElseThrow();
            Map<Shape, Integer> shapes = flood(counters, realSsrcs, GARBAGE / 2, shape -> shape != Shape.DTLS_RECORD,
                    d -> assertThat(adaPublisher.sendUnprotected(d, 0, d.length)).isTrue());
            int counted = shapes.entrySet().stream().filter(e -> e.getKey() != Shape.DTLS_RECORD)
                    .mapToInt(Map.Entry::getValue).sum();
            int srtpShaped = shapes.getOrDefault(Shape.RTP, 0) + shapes.getOrDefault(Shape.RTP_OF_A_REAL_SSRC, 0)
                    + shapes.getOrDefault(Shape.RTCP, 0);

            assertThat(shapes.getOrDefault(Shape.DTLS, 0) + shapes.getOrDefault(Shape.DTLS_RECORD, 0)).isPositive();
            assertThat(counters.dropped() - droppedBefore).isGreaterThanOrEqualTo(counted);
            assertThat(counters.droppedSrtp.sum() - srtpDroppedBefore).as("failed SRTP/SRTCP authentication")
                    .isGreaterThanOrEqualTo(srtpShaped);
            Map<String, Long> afterFlood = packetCounts(both);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertMediaRoseSince(both, afterFlood, 20));
            for (ConveneClient c : both) {
                assertThat(c.subscriberTransport().orElseThrow().stats().unprotectFailures()).isZero();
                assertThat(c.signaling().isOpen()).isTrue();
            }
        }
    }

    /**
     * Sends {@code count} garbage datagrams of random shapes in batches, waiting after each
     * batch until the SFU has counted the drops the batch should cause (the shapes for which
     * {@code counted} holds), so the kernel never drops any unseen.
     */
    private static Map<Shape, Integer> flood(MediaCounters counters, long[] realSsrcs, int count,
            Predicate<Shape> counted, Consumer<byte[]> send) {
        Random random = new Random(SEED);
        Map<Shape, Integer> shapes = new EnumMap<>(Shape.class);
        long expected = counters.dropped();
        for (int sent = 0; sent < count; ) {
            for (int i = 0; i < BATCH && sent < count; i++, sent++) {
                Shape shape = Shape.values()[random.nextInt(Shape.values().length)];
                shapes.merge(shape, 1, Integer::sum);
                send.accept(garbage(random, shape, realSsrcs));
                if (counted.test(shape)) {
                    expected++;
                }
            }
            long target = expected;
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(5))
                    .until(() -> counters.dropped() >= target);
        }
        return shapes;
    }

    private static byte[] garbage(Random random, Shape shape, long[] realSsrcs) {
        byte[] d = new byte[1 + random.nextInt(1500)];
        random.nextBytes(d);
        switch (shape) {
            case STUN -> d[0] = (byte) random.nextInt(4);
            case STUN_HEADER -> {
                // A plausible Binding request header: type, length, magic cookie; random attributes.
                d = new byte[20 + 4 * random.nextInt(370)];
                random.nextBytes(d);
                d[0] = 0x00;
                d[1] = 0x01;
                d[2] = (byte) ((d.length - 20) >>> 8);
                d[3] = (byte) (d.length - 20);
                d[4] = 0x21;
                d[5] = 0x12;
                d[6] = (byte) 0xA4;
                d[7] = 0x42;
            }
            case DTLS -> d[0] = (byte) (20 + random.nextInt(44));
            case DTLS_RECORD -> {
                // A well-formed record header (handshake or alert, DTLS 1.2) around random bytes.
                d = new byte[13 + random.nextInt(1400)];
                random.nextBytes(d);
                d[0] = (byte) (random.nextBoolean() ? 22 : 21);
                d[1] = (byte) 0xFE;
                d[2] = (byte) 0xFD;
                d[11] = (byte) ((d.length - 13) >>> 8);
                d[12] = (byte) (d.length - 13);
            }
            case RTP -> {
                d[0] = (byte) (128 + random.nextInt(64));
                if (d.length > 1 && (d[1] & 0xFF) >= 192 && (d[1] & 0xFF) <= 223) {
                    d[1] = (byte) random.nextInt(128);
                }
            }
            case RTP_OF_A_REAL_SSRC -> {
                // Looks like SRTP of a stream in the meeting: version 2, a real SSRC, a tag's worth of bytes.
                d = new byte[12 + 16 + random.nextInt(1200)];
                random.nextBytes(d);
                d[0] = (byte) 0x80;
                d[1] = (byte) (random.nextBoolean() ? 96 : 111);
                long ssrc = realSsrcs[random.nextInt(realSsrcs.length)];
                d[8] = (byte) (ssrc >>> 24);
                d[9] = (byte) (ssrc >>> 16);
                d[10] = (byte) (ssrc >>> 8);
                d[11] = (byte) ssrc;
            }
            case RTCP -> {
                d = d.length < 2 ? new byte[2 + random.nextInt(100)] : d;
                random.nextBytes(d);
                d[0] = (byte) (128 + random.nextInt(64));
                d[1] = (byte) (192 + random.nextInt(32));
            }
            case OTHER -> {
                int[] ranges = {4, 19, 64, 127, 192, 255};
                int r = random.nextInt(3);
                d[0] = (byte) (ranges[2 * r] + random.nextInt(ranges[2 * r + 1] - ranges[2 * r] + 1));
            }
        }
        return d;
    }

    private static void assertMediaRoseSince(List<ConveneClient> group, Map<String, Long> before, long by) {
        packetCounts(group).forEach((key, count) ->
                assertThat(count).as(key).isGreaterThan(before.getOrDefault(key, 0L) + by));
    }

    private static Map<String, Long> packetCounts(List<ConveneClient> group) {
        Map<String, Long> counts = new HashMap<>();
        for (ConveneClient receiver : group) {
            for (ConveneClient sender : group) {
                if (sender != receiver) {
                    for (String kind : List.of("audio", "video")) {
                        counts.put(receiver.displayName() + " <- " + sender.displayName() + " " + kind,
                                receiver.received(sender.participantId(), kind).packets());
                    }
                }
            }
        }
        return counts;
    }
}
