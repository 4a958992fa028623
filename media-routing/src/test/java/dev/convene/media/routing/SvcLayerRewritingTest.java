package dev.convene.media.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.convene.media.core.codec.Codec;
import dev.convene.media.core.codec.Vp9Descriptor;
import dev.convene.media.core.rtp.RtpPacket;
import dev.convene.media.routing.svc.SvcLayerFilter;
import dev.convene.media.routing.svc.SvcLayers;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A VP9 {@code L3T3_KEY} stream (three spatial layers predicting from each other only in the
 * key picture, temporal pattern 0-2-1-2, two packets per layer frame) through one subscriber's
 * rewriter with an {@link SvcLayerFilter}: layers dropped, switch points, gapless renumbering,
 * the marker at the end of the top forwarded layer. Time is the arrival time passed in (33 ms
 * per picture), no clock is read.
 */
class SvcLayerRewritingTest {
    private static final long SSRC = 0x51C0FFEEL;
    private static final long OUT_SSRC = 0x0D0D0D0DL;
    private static final int PT_IN = 98;
    private static final int PT_OUT = 98;
    private static final int PACKETS_PER_FRAME = 2;
    private static final int[][] SIZES = {{320, 180}, {640, 360}, {1280, 720}};
    private static final int[] TEMPORAL_PATTERN = {0, 2, 1, 2};

    private final SvcLayerFilter filter = new SvcLayerFilter();
    private final RtpStreamRewriter rewriter = new RtpStreamRewriter(OUT_SSRC, 90_000,
            PayloadTypeMap.of(PT_IN, PT_OUT, Codec.VP9), filter);
    private final RtpPacket packet = new RtpPacket();
    private final Vp9Descriptor vp9 = new Vp9Descriptor();

    /** One packet as sent by the publisher. */
    private record In(int seq, int picture, int sid, int tid, boolean start, boolean end, boolean marker, byte[] buf) {}

    /** One packet as the subscriber gets it. */
    private record Out(int seq, int picture, int sid, int tid, boolean marker, long timestamp) {}

    /** The publisher's encoder and packetizer. */
    private static final class Publisher {
        int seq;
        int picture;
        int tl0;

        Publisher(int firstSeq) {
            seq = firstSeq;
        }

        List<In> picture(boolean key) {
            int tid = key ? 0 : TEMPORAL_PATTERN[picture % TEMPORAL_PATTERN.length];
            if (tid == 0 && picture > 0) {
                tl0++;
            }
            List<In> packets = new ArrayList<>();
            long ts = 3000L * picture;
            for (int sid = 0; sid < 3; sid++) {
                for (int i = 0; i < PACKETS_PER_FRAME; i++) {
                    boolean start = i == 0;
                    boolean end = i == PACKETS_PER_FRAME - 1;
                    boolean marker = end && sid == 2;
                    boolean ss = key && sid == 0 && start;
                    byte[] payload = descriptor(key, sid, tid, start, end, ss);
                    byte[] buf = TestPackets.rtp(SSRC, PT_IN | (marker ? 0x80 : 0), seq & 0xFFFF, ts, 0, payload);
                    packets.add(new In(seq & 0xFFFF, picture, sid, tid, start, end, marker, buf));
                    seq++;
                }
            }
            picture++;
            return packets;
        }

        private byte[] descriptor(boolean key, int sid, int tid, boolean start, boolean end, boolean ss) {
            byte[] d = new byte[5 + (ss ? 13 : 0) + 20];
            // I, P (not in the key picture), L, non-flexible, B, E, V
            d[0] = (byte) (0x80 | (key ? 0 : 0x40) | 0x20 | (start ? 0x08 : 0) | (end ? 0x04 : 0) | (ss ? 0x02 : 0));
            d[1] = (byte) (0x80 | picture >>> 8 & 0x7F);
            d[2] = (byte) picture;
            d[3] = (byte) (tid << 5 | (tid > 0 ? 0x10 : 0) | sid << 1 | (key && sid > 0 ? 1 : 0));
            d[4] = (byte) tl0;
            if (ss) {
                d[5] = (byte) (2 << 5 | 0x10); // N_S = 2 (three layers), Y
                for (int s = 0; s < 3; s++) {
                    d[6 + 4 * s] = (byte) (SIZES[s][0] >>> 8);
                    d[7 + 4 * s] = (byte) SIZES[s][0];
                    d[8 + 4 * s] = (byte) (SIZES[s][1] >>> 8);
                    d[9 + 4 * s] = (byte) SIZES[s][1];
                }
            }
            return d;
        }
    }

    private final List<Out> received = new ArrayList<>();
    private final List<RewriteResult> results = new ArrayList<>();
    private long now = 1_000 * TestPackets.MS;

    private RewriteResult send(In in) {
        byte[] copy = in.buf().clone();
        assertThat(packet.wrap(copy, TestPackets.BASE, copy.length - TestPackets.BASE)).isTrue();
        RewriteResult r = rewriter.rewrite(packet, now);
        results.add(r);
        if (r == RewriteResult.FORWARD) {
            assertThat(vp9.wrap(packet.buffer(), packet.payloadOffset(), packet.payloadLength())).isTrue();
            assertThat(packet.ssrc()).isEqualTo(OUT_SSRC);
            received.add(new Out(packet.sequenceNumber(), in.picture(), vp9.spatialId(), vp9.temporalId(),
                    packet.marker(), packet.timestamp()));
        }
        return r;
    }

    private void sendAll(List<In> packets) {
        for (In in : packets) {
            send(in);
        }
        now += 33 * TestPackets.MS;
    }

    private List<Out> ofPicture(int picture) {
        return received.stream().filter(o -> o.picture() == picture).toList();
    }

    private static void assertGapless(List<Out> out) {
        for (int i = 1; i < out.size(); i++) {
            assertThat(out.get(i).seq()).as("output %d after %d", i, i - 1).isEqualTo(out.get(i - 1).seq() + 1 & 0xFFFF);
        }
    }

    /** Each forwarded picture ends with exactly one marker, on its last packet, of its top forwarded layer. */
    private void assertMarkersEndPictures() {
        int first = received.get(0).picture();
        int last = received.get(received.size() - 1).picture();
        for (int p = first; p <= last; p++) {
            List<Out> pic = ofPicture(p);
            if (pic.isEmpty()) {
                continue;
            }
            int top = pic.stream().mapToInt(Out::sid).max().orElseThrow();
            assertThat(pic.stream().filter(Out::marker).count()).as("markers in picture %d", p).isEqualTo(1);
            assertThat(pic.get(pic.size() - 1).marker()).as("picture %d ends with the marker", p).isTrue();
            assertThat(pic.get(pic.size() - 1).sid()).isEqualTo(top);
        }
    }

    @Test
    void withoutATargetEveryLayerPassesUnchanged() {
        rewriter.switchTo(SSRC);
        Publisher pub = new Publisher(100);
        sendAll(pub.picture(true));
        for (int i = 0; i < 7; i++) {
            sendAll(pub.picture(false));
        }
        assertThat(received).hasSize(8 * 3 * PACKETS_PER_FRAME);
        assertGapless(received);
        assertThat(received.get(0).seq()).isEqualTo(100);
        assertMarkersEndPictures();
        assertThat(filter.knownSpatialLayers()).as("sizes from the key picture's scalability structure").isEqualTo(3);
        assertThat(SvcLayers.of(filter, now)).extracting(l -> l.width() + "x" + l.height())
                .containsExactly("320x180", "640x360", "1280x720");
    }

    @Test
    void aSmallTargetGetsTheBaseLayerGaplessWithAMarkerOnEachPictureAndTimestampsAndPictureIdsKept() {
        filter.setTarget(0, Integer.MAX_VALUE);
        rewriter.switchTo(SSRC);
        Publisher pub = new Publisher(500);
        sendAll(pub.picture(true));
        for (int i = 0; i < 11; i++) {
            sendAll(pub.picture(false));
        }
        assertThat(received).hasSize(12 * PACKETS_PER_FRAME).allSatisfy(o -> assertThat(o.sid()).isZero());
        assertGapless(received);
        assertMarkersEndPictures();
        for (int p = 0; p < 12; p++) {
            assertThat(ofPicture(p)).as("picture %d", p).allSatisfy(o -> assertThat(o.timestamp()).isEqualTo(3000L * o.picture()));
        }
        assertThat(results).filteredOn(r -> r == RewriteResult.DROP_LAYER).hasSize(12 * 2 * PACKETS_PER_FRAME);
    }

    @Test
    void switchingDownTakesEffectAtTheNextPictureAndUpWaitsForAKeyPicture() {
        rewriter.switchTo(SSRC);
        Publisher pub = new Publisher(65_520);
        sendAll(pub.picture(true));
        sendAll(pub.picture(false));
        List<In> third = pub.picture(false);
        // The target drops mid-picture: this picture keeps its upper layers, the next one has none.
        for (int i = 0; i < third.size(); i++) {
            if (i == 1) {
                filter.setTarget(0, Integer.MAX_VALUE);
            }
            send(third.get(i));
        }
        now += 33 * TestPackets.MS;
        sendAll(pub.picture(false));
        assertThat(ofPicture(2)).extracting(Out::sid).containsExactly(0, 0, 1, 1, 2, 2);
        assertThat(ofPicture(3)).extracting(Out::sid).containsExactly(0, 0);

        // Up again: delta pictures of S1/S2 are useless without their references; they wait.
        filter.setTarget(2, Integer.MAX_VALUE);
        assertThat(filter.isWaitingForKeyPicture()).isTrue();
        results.clear();
        sendAll(pub.picture(false));
        assertThat(ofPicture(4)).extracting(Out::sid).containsExactly(0, 0);
        assertThat(results).filteredOn(r -> r == RewriteResult.DROP_WAITING_FOR_KEYFRAME).hasSize(4);
        sendAll(pub.picture(true)); // the key frame asked for
        sendAll(pub.picture(false));
        assertThat(ofPicture(5)).extracting(Out::sid).containsExactly(0, 0, 1, 1, 2, 2);
        assertThat(ofPicture(6)).extracting(Out::sid).containsExactly(0, 0, 1, 1, 2, 2);
        assertThat(filter.isWaitingForKeyPicture()).isFalse();

        // Across the 16-bit wrap (input 65520..65561), every switch included, the output has no hole.
        assertGapless(received);
        assertThat(received.get(received.size() - 1).seq()).isLessThan(100);
        assertMarkersEndPictures();
    }

    @Test
    void aFrameRateCapDropsUpperTemporalLayersAndRaisingItWaitsForABaseTemporalPicture() {
        filter.setTarget(1, SvcLayers.temporalFor(8)); // 15 fps: T0 and T1
        rewriter.switchTo(SSRC);
        Publisher pub = new Publisher(7);
        sendAll(pub.picture(true));
        for (int i = 0; i < 7; i++) {
            sendAll(pub.picture(false)); // temporal ids 2 1 2 0 2 1 2
        }
        assertThat(received).extracting(Out::picture).containsOnly(0, 2, 4, 6);
        assertThat(received).allSatisfy(o -> assertThat(o.sid()).isLessThanOrEqualTo(1));
        assertGapless(received);
        assertMarkersEndPictures();

        filter.setTarget(1, SvcLayers.temporalFor(0));
        sendAll(pub.picture(false)); // picture 8: T0, the switch point
        sendAll(pub.picture(false)); // picture 9: T2
        assertThat(ofPicture(9)).hasSize(2 * PACKETS_PER_FRAME);
        assertGapless(received);
    }

    @Test
    void underLossAGapInAForwardedLayerStaysForTheRepairAndAGapInsideADroppedFrameCloses() {
        filter.setTarget(1, Integer.MAX_VALUE);
        rewriter.switchTo(SSRC);
        Publisher pub = new Publisher(65_530);
        sendAll(pub.picture(true));
        List<In> p1 = pub.picture(false);
        // Lost upstream: the second S0 packet (forwarded layer) and the first S2 packet (dropped layer).
        In lostBase = p1.get(1);
        In lostTop = p1.get(4);
        for (In in : p1) {
            if (in != lostBase && in != lostTop) {
                send(in);
            }
        }
        List<Out> p1Out = ofPicture(1);
        assertThat(p1Out).extracting(Out::sid).containsExactly(0, 1, 1);
        assertThat(p1Out.get(1).seq()).as("a hole of one where the lost S0 packet goes")
                .isEqualTo(p1Out.get(0).seq() + 2 & 0xFFFF);
        assertThat(p1Out.get(2).marker()).isTrue();

        // The repairs arrive (RTX, restored upstream): the S0 packet fills its hole, the S2 one stays dropped.
        assertThat(send(lostBase)).isEqualTo(RewriteResult.FORWARD);
        assertThat(received.get(received.size() - 1).seq()).isEqualTo(p1Out.get(0).seq() + 1 & 0xFFFF);
        assertThat(send(lostTop)).isEqualTo(RewriteResult.DROP_LAYER);
        now += 33 * TestPackets.MS;

        // The next picture continues right after picture 1's last forwarded packet: the lost S2
        // start was inside a dropped frame (its next packet continued that frame), so no hole.
        sendAll(pub.picture(false));
        List<Out> p2Out = ofPicture(2);
        assertThat(p2Out.get(0).seq()).isEqualTo(p1Out.get(2).seq() + 1 & 0xFFFF);
        assertThat(filter.lateGaps()).isZero();
    }

    @Test
    void theAllocatorSeesThreeAssumedLayersUntilTheScalabilityStructureAndEachCostsItselfPlusTheOnesBelow() {
        assertThat(SvcLayers.of(filter, now)).extracting(l -> l.width() + "x" + l.height() + (l.active() ? "" : " off"))
                .as("nothing received yet: all count as sent, so nobody is paused")
                .containsExactly("320x180", "640x360", "1280x720");
        filter.setTarget(2, Integer.MAX_VALUE);
        rewriter.switchTo(SSRC);
        Publisher pub = new Publisher(1);
        sendAll(pub.picture(true));
        sendAll(pub.picture(false));
        var layers = SvcLayers.of(filter, now);
        assertThat(layers).allSatisfy(l -> assertThat(l.active()).isTrue());
        assertThat(layers.get(2).bitsPerSecond()).isGreaterThan(layers.get(1).bitsPerSecond())
                .isGreaterThan(layers.get(0).bitsPerSecond()).isPositive();
        // Read at a tick that lags the packets' clock, the meters still hold.
        assertThat(SvcLayers.of(filter, now - 50 * TestPackets.MS).get(0).bitsPerSecond()).isPositive();

        assertThat(SvcLayers.temporalFor(0)).isEqualTo(Integer.MAX_VALUE);
        assertThat(SvcLayers.temporalFor(5)).isZero();
        assertThat(SvcLayers.temporalFor(15)).isEqualTo(1);
        assertThat(SvcLayers.temporalFor(24)).isEqualTo(Integer.MAX_VALUE);
    }
}
