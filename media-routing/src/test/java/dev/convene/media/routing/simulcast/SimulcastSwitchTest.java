package dev.convene.media.routing.simulcast;

import static org.assertj.core.api.Assertions.assertThat;

import dev.convene.media.core.codec.Codec;
import dev.convene.media.core.codec.Vp8PayloadDescriptor;
import dev.convene.media.core.rtp.RtpPacket;
import dev.convene.media.routing.PayloadTypeMap;
import dev.convene.media.routing.RewriteResult;
import dev.convene.media.routing.RtpStreamRewriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A subscriber's leg over three VP8 simulcast layers on a fake clock: the selector decides, the
 * rewriter switches at key frames, and the subscriber sees one stream whose sequence numbers,
 * timestamps, PictureIDs and TL0PICIDXs continue across switches, wraps, losses and lost key
 * frames.
 */
class SimulcastSwitchTest {

    private static final int BASE = 5;
    private static final int PT = 96;
    private static final long MS = 1_000_000L;
    private static final long[] SSRC = {0x1111_0000L, 0x2222_0000L, 0x3333_0000L};
    private static final int[][] SIZE = {{320, 180}, {640, 360}, {1280, 720}};

    /** One publisher layer's own counters, each started near its wrap point. */
    private static final class Source {
        final int index;
        int seq;
        long ts;
        int pictureId;
        int tl0;

        Source(int index, int seq, long ts, int pictureId, int tl0) {
            this.index = index;
            this.seq = seq;
            this.ts = ts;
            this.pictureId = pictureId;
            this.tl0 = tl0;
        }
    }

    private long now = 1_000 * MS;
    private final SimulcastLayer[] layers = {new SimulcastLayer(0, Codec.VP8), new SimulcastLayer(1, Codec.VP8),
            new SimulcastLayer(2, Codec.VP8)};
    private final Source[] sources = {new Source(0, 65_530, 0xFFFF_F000L, 0x7FFD, 254),
            new Source(1, 100, 12_345, 5, 3), new Source(2, 65_535, 0xFFFF_FFF0L, 0x7FFF, 255)};
    private final LayerSelector selector = new LayerSelector(new ResolutionAllocator());
    private final RtpStreamRewriter rewriter = new RtpStreamRewriter(0xABCDEFL, 90_000,
            PayloadTypeMap.of(PT, 100, Codec.VP8));
    private final RtpPacket packet = new RtpPacket();
    private final Vp8PayloadDescriptor vp8 = new Vp8PayloadDescriptor();

    /** What the subscriber received: [source layer, seq, ts, pictureId, tl0, arrival]. */
    private final List<long[]> received = new ArrayList<>();
    private int keyframeRequests;
    private final int[] keyframeRequestsByLayer = new int[3];

    private static byte[] frame(long ssrc, Source s, boolean keyframe) {
        byte[] vp8Header = keyframe
                ? new byte[] {0x10, 0x02, 0x00, (byte) 0x9D, 0x01, 0x2A, (byte) SIZE[s.index][0],
                        (byte) (SIZE[s.index][0] >>> 8), (byte) SIZE[s.index][1], (byte) (SIZE[s.index][1] >>> 8)}
                : new byte[] {0x11, 0x02, 0x00};
        byte[] buf = new byte[BASE + 12 + 5 + vp8Header.length];
        buf[BASE] = (byte) 0x80;
        buf[BASE + 1] = (byte) PT;
        buf[BASE + 2] = (byte) (s.seq >>> 8);
        buf[BASE + 3] = (byte) s.seq;
        for (int i = 0; i < 4; i++) {
            buf[BASE + 4 + i] = (byte) (s.ts >>> 24 - 8 * i);
            buf[BASE + 8 + i] = (byte) (ssrc >>> 24 - 8 * i);
        }
        int p = BASE + 12;
        buf[p] = (byte) 0x90;
        buf[p + 1] = (byte) 0xC0;
        buf[p + 2] = (byte) (0x80 | s.pictureId >>> 8);
        buf[p + 3] = (byte) s.pictureId;
        buf[p + 4] = (byte) s.tl0;
        System.arraycopy(vp8Header, 0, buf, p + 5, vp8Header.length);
        return buf;
    }

    /**
     * One 33 ms tick: every layer in {@code sending} sends a one-packet frame (key frames where
     * asked); those in {@code lost} never reach the SFU.
     */
    private void tick(int[] sending, int keyframeLayer, int lostLayer) {
        now += 33 * MS;
        for (int i : sending) {
            Source s = sources[i];
            boolean keyframe = i == keyframeLayer;
            byte[] buf = frame(SSRC[i], s, keyframe);
            if (i != lostLayer) {
                deliver(i, buf);
            }
            s.seq = s.seq + 1 & 0xFFFF;
            s.ts = s.ts + 3000 & 0xFFFF_FFFFL;
            s.pictureId = s.pictureId + 1 & 0x7FFF;
            if (keyframe) {
                s.tl0 = s.tl0 + 1 & 0xFF;
            }
        }
    }

    private void deliver(int layer, byte[] buf) {
        assertThat(packet.wrap(buf, BASE, buf.length - BASE)).isTrue();
        layers[layer].onPacket(packet, now);
        RewriteResult result = rewriter.rewrite(packet, now);
        if (result == RewriteResult.FORWARD) {
            assertThat(vp8.wrap(packet.buffer(), packet.payloadOffset(), packet.payloadLength())).isTrue();
            received.add(new long[] {layer, packet.sequenceNumber(), packet.timestamp(), vp8.pictureId(), vp8.tl0PicIdx(), now});
        } else if (result == RewriteResult.DROP_WAITING_FOR_KEYFRAME) {
            keyframeRequests++;
        }
    }

    /** What the SFU does with the selector's decision (sfu's PacketRouter does the same). */
    private void allocate() {
        LayerChoice choice = selector.update(SimulcastLayer.infos(layers, 1280, 720, now), Allocator.UNLIMITED);
        if (!choice.changed()) {
            return;
        }
        if (choice.layer() == Allocator.NONE) {
            rewriter.pause();
        } else {
            rewriter.switchTo(SSRC[choice.layer()]);
            keyframeRequestsByLayer[choice.layer()]++;
        }
    }

    private long[] last() {
        return received.getLast();
    }

    private void assertContinuous() {
        for (int i = 1; i < received.size(); i++) {
            long[] a = received.get(i - 1);
            long[] b = received.get(i);
            long seqStep = b[1] - a[1] & 0xFFFF;
            assertThat(seqStep).as("sequence step at %d", i).isBetween(1L, 2L);
            long tsStep = b[2] - a[2] & 0xFFFF_FFFFL;
            // Timestamps follow the wall clock across gaps (a pause, a layer gone), as the decoder's clock does.
            long elapsedTicks = (b[5] - a[5]) / MS * 90;
            assertThat(tsStep).as("timestamp step at %d", i).isBetween(1L, elapsedTicks + 3_000L);
            assertThat(b[3] - a[3] & 0x7FFF).as("PictureID step at %d", i).isBetween(1L, 2L);
            assertThat(b[4] - a[4] & 0xFF).as("TL0PICIDX step at %d", i).isBetween(0L, 1L);
        }
    }

    private static final int[] ALL = {0, 1, 2};

    @Test
    void smallTileGetsTheLowLayerThenTheHighOneAtItsKeyframe() {
        selector.setSettings(new LayerSettings(360, 203, 0, false, 1));
        tick(ALL, 0, -1);
        tick(ALL, 2, -1);
        allocate();
        assertThat(selector.layer()).isZero();
        // Layer 0's key frame is past: forwarding waits for the next one (the request made at the switch).
        tick(ALL, -1, -1);
        assertThat(received).isEmpty();
        tick(ALL, 0, -1);
        for (int i = 0; i < 5; i++) {
            tick(ALL, -1, -1);
        }
        assertThat(received).hasSize(6).allMatch(r -> r[0] == 0);

        // The tile grows: up to the full layer, switched at layer 2's next key frame.
        selector.setSettings(new LayerSettings(1280, 720, 0, false, 1));
        allocate();
        assertThat(selector.layer()).isEqualTo(2);
        assertThat(keyframeRequestsByLayer[2]).isEqualTo(1);
        tick(ALL, -1, -1);
        assertThat(last()[0]).as("layer 0 flows while the switch waits").isZero();
        tick(ALL, 2, -1);
        tick(ALL, -1, -1);
        assertThat(last()[0]).isEqualTo(2);
        assertContinuous();
    }

    @Test
    void aLostKeyframeKeepsTheOldLayerFlowingUntilTheNextOne() {
        selector.setSettings(new LayerSettings(320, 180, 0, false, 1));
        tick(ALL, -1, -1);
        allocate();
        tick(ALL, 0, -1);
        tick(ALL, -1, -1);

        selector.setSettings(LayerSettings.UNCONSTRAINED);
        allocate();
        // Layer 2's key frame is lost on the uplink: nothing breaks, layer 0 keeps flowing and
        // each later layer-2 packet asks again (the publisher-side throttle bounds the requests).
        tick(ALL, 2, 2);
        int before = keyframeRequests;
        for (int i = 0; i < 4; i++) {
            tick(ALL, -1, -1);
        }
        assertThat(keyframeRequests - before).isEqualTo(4);
        assertThat(received).allMatch(r -> r[0] == 0);
        tick(ALL, 2, -1);
        assertThat(last()[0]).isEqualTo(2);
        assertContinuous();
    }

    @Test
    void lossInsideTheNewLayerLeavesAGapTheSubscriberCanNack() {
        tick(ALL, -1, -1);
        allocate();
        assertThat(selector.layer()).isEqualTo(2);
        tick(ALL, 2, -1);
        tick(ALL, -1, 2);
        tick(ALL, -1, -1);
        assertThat(received).hasSize(2);
        assertThat(received.get(1)[1] - received.get(0)[1] & 0xFFFF).as("one number missing, as upstream").isEqualTo(2);

        // Down to layer 1 under loss: its first key frame is lost too; layer 2 keeps flowing meanwhile.
        selector.setSettings(new LayerSettings(640, 360, 0, false, 1));
        allocate();
        tick(ALL, 1, 1);
        tick(ALL, -1, 2);
        tick(ALL, 1, -1);
        tick(ALL, -1, -1);
        assertThat(last()[0]).isEqualTo(1);
        assertContinuous();
    }

    @Test
    void aLayerThePublisherStopsSendingIsLeftForTheNextOneDown() {
        tick(ALL, 2, -1);
        allocate();
        tick(ALL, 2, -1);
        assertThat(last()[0]).isEqualTo(2);
        // The publisher's encoder drops its top layer (uplink shrank): after the activity timeout
        // the selector moves down, at layer 1's key frame.
        for (int i = 0; i < 31; i++) {
            tick(new int[] {0, 1}, -1, -1);
            allocate();
        }
        assertThat(selector.layer()).isEqualTo(1);
        tick(new int[] {0, 1}, 1, -1);
        assertThat(last()[0]).isEqualTo(1);
        assertContinuous();
        long switches = selector.switches();
        // Back on: up again.
        tick(ALL, 2, -1);
        allocate();
        tick(ALL, 2, -1);
        assertThat(last()[0]).isEqualTo(2);
        assertThat(selector.switches()).isEqualTo(switches + 1);
        assertContinuous();
    }

    @Test
    void pausedForwardsNothingAndResumingContinuesTheStream() {
        tick(ALL, 0, -1);
        selector.setSettings(new LayerSettings(100, 100, 0, false, 1));
        allocate();
        tick(ALL, 0, -1);
        int before = received.size();
        selector.setSettings(new LayerSettings(100, 100, 0, true, 1));
        allocate();
        assertThat(selector.layer()).isEqualTo(Allocator.NONE);
        for (int i = 0; i < 5; i++) {
            tick(ALL, i == 2 ? 0 : -1, -1);
        }
        assertThat(received).hasSize(before);
        selector.setSettings(new LayerSettings(100, 100, 0, false, 1));
        allocate();
        tick(ALL, 0, -1);
        assertThat(received).hasSize(before + 1);
        assertContinuous();
    }

    @Test
    void sizesComeFromKeyframesAndAreEstimatedUntilThen() {
        tick(ALL, -1, -1);
        List<LayerInfo> guessed = SimulcastLayer.infos(layers, 1280, 720, now);
        assertThat(guessed).extracting(LayerInfo::width).containsExactly(320, 640, 1280);
        // A real size on one layer re-bases the others' estimate, whatever top size was assumed.
        tick(ALL, 1, -1);
        List<LayerInfo> known = SimulcastLayer.infos(layers, 1920, 1080, now);
        assertThat(known).extracting(LayerInfo::width).containsExactly(320, 640, 1280);
        assertThat(known).extracting(LayerInfo::height).containsExactly(180, 360, 720);
        assertThat(known).allMatch(LayerInfo::active);
        now += SimulcastLayer.ACTIVITY_TIMEOUT_NANOS;
        assertThat(SimulcastLayer.infos(layers, 1280, 720, now)).noneMatch(LayerInfo::active);
    }
}
