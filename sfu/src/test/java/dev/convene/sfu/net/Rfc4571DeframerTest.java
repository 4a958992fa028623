package dev.convene.sfu.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * RFC 4571 §2: each packet is preceded by a 16-bit big-endian LENGTH; TCP may cut the stream
 * anywhere, so frames are split across reads and several arrive in one.
 */
class Rfc4571DeframerTest {

    private static final int MAX = 2048;

    private final List<byte[]> frames = new ArrayList<>();
    private final List<Integer> dropped = new ArrayList<>();
    private final Rfc4571Deframer.FrameSink sink = new Rfc4571Deframer.FrameSink() {
        @Override
        public void onFrame(byte[] buf, int len) {
            frames.add(Arrays.copyOf(buf, len));
        }

        @Override
        public void onDroppedFrame(int declaredLength) {
            dropped.add(declaredLength);
        }
    };
    private final Rfc4571Deframer deframer = new Rfc4571Deframer(MAX, 64);

    @Test
    void severalFramesInOneReadAreAllDelivered() {
        byte[] a = bytes(20, 1);
        byte[] b = bytes(1, 2);
        byte[] c = bytes(MAX, 3);

        deframer.feed(Unpooled.wrappedBuffer(concat(frame(a), frame(b), frame(c))), sink);

        assertThat(frames).containsExactly(a, b, c);
        assertThat(dropped).isEmpty();
        assertThat(deframer.atFrameBoundary()).isTrue();
    }

    @Test
    void aStreamCutAtEveryByteGivesTheSameFrames() {
        byte[] a = bytes(100, 4);
        byte[] b = bytes(300, 5);
        byte[] stream = concat(frame(a), frame(b));

        for (byte x : stream) {
            deframer.feed(Unpooled.wrappedBuffer(new byte[] {x}), sink);
        }

        assertThat(frames).containsExactly(a, b);
    }

    @Test
    void aLengthPrefixSplitBetweenReadsIsJoined() {
        byte[] a = bytes(0x0102, 6);
        byte[] stream = frame(a);

        deframer.feed(Unpooled.wrappedBuffer(stream, 0, 1), sink);
        assertThat(frames).isEmpty();
        assertThat(deframer.atFrameBoundary()).isFalse();
        deframer.feed(Unpooled.wrappedBuffer(stream, 1, 2), sink);
        deframer.feed(Unpooled.wrappedBuffer(stream, 3, stream.length - 3), sink);

        assertThat(frames).containsExactly(a);
    }

    @Test
    void randomCutsOfManyFramesLoseAndReorderNothing() {
        Random random = new Random(4571);
        List<byte[]> sent = new ArrayList<>();
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        for (int i = 0; i < 500; i++) {
            byte[] f = bytes(1 + random.nextInt(1400), i);
            sent.add(f);
            stream.writeBytes(frame(f));
        }
        byte[] all = stream.toByteArray();
        for (int off = 0; off < all.length; ) {
            int n = Math.min(all.length - off, 1 + random.nextInt(3000));
            deframer.feed(Unpooled.wrappedBuffer(all, off, n), sink);
            off += n;
        }

        assertThat(frames).hasSize(sent.size());
        for (int i = 0; i < sent.size(); i++) {
            assertThat(frames.get(i)).as("frame %d", i).isEqualTo(sent.get(i));
        }
    }

    @Test
    void anOversizedFrameIsSkippedUnbufferedAndTheNextOneStillArrives() {
        byte[] huge = bytes(60_000, 7);
        byte[] next = bytes(50, 8);
        byte[] stream = concat(frame(huge), frame(next));

        // In chunks smaller than the oversized frame: it must be skipped across reads.
        for (int off = 0; off < stream.length; off += 1000) {
            deframer.feed(Unpooled.wrappedBuffer(stream, off, Math.min(1000, stream.length - off)), sink);
        }

        assertThat(dropped).containsExactly(60_000);
        assertThat(frames).containsExactly(next);
    }

    @Test
    void theLargestFrameIsDeliveredAndOneMoreByteIsNot() {
        deframer.feed(Unpooled.wrappedBuffer(concat(frame(bytes(MAX, 9)), frame(bytes(MAX + 1, 10)))), sink);

        assertThat(frames).hasSize(1).allSatisfy(f -> assertThat(f).hasSize(MAX));
        assertThat(dropped).containsExactly(MAX + 1);
    }

    @Test
    void emptyFramesAreReportedAndSkipped() {
        deframer.feed(Unpooled.wrappedBuffer(concat(new byte[] {0, 0}, frame(bytes(3, 11)), new byte[] {0, 0})), sink);

        assertThat(dropped).containsExactly(0, 0);
        assertThat(frames).hasSize(1);
    }

    @Test
    void httpSentToTheMediaPortIsReadAsOversizedFramesNotAsMedia() {
        // "GE" = 0x4745 = 18245 bytes: what a browser or scanner speaking HTTP looks like here.
        byte[] http = "GET / HTTP/1.1\r\nHost: sfu\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

        deframer.feed(Unpooled.wrappedBuffer(http), sink);

        assertThat(frames).isEmpty();
        assertThat(dropped).isEmpty(); // still inside the declared 18245 bytes
        assertThat(deframer.atFrameBoundary()).isFalse();
    }

    @Test
    void theFrameBufferHasRoomAfterTheLargestFrameForInPlaceTransforms() {
        Rfc4571Deframer d = new Rfc4571Deframer(10, 64);
        List<Integer> capacities = new ArrayList<>();
        d.feed(Unpooled.wrappedBuffer(frame(bytes(10, 12))), new Rfc4571Deframer.FrameSink() {
            @Override
            public void onFrame(byte[] buf, int len) {
                capacities.add(buf.length - len);
            }

            @Override
            public void onDroppedFrame(int declaredLength) {
            }
        });

        assertThat(capacities).containsExactly(64);
    }

    @Test
    void headersAreWrittenBigEndianAndBoundedTo16Bits() {
        ByteBuf out = Unpooled.buffer();
        Rfc4571Deframer.writeHeader(out, 0x1234);
        assertThat((int) out.readUnsignedByte()).isEqualTo(0x12);
        assertThat((int) out.readUnsignedByte()).isEqualTo(0x34);
        assertThatThrownBy(() -> Rfc4571Deframer.writeHeader(out, 0x10000)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Rfc4571Deframer(0, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    static byte[] frame(byte[] payload) {
        byte[] out = new byte[payload.length + 2];
        out[0] = (byte) (payload.length >>> 8);
        out[1] = (byte) payload.length;
        System.arraycopy(payload, 0, out, 2, payload.length);
        return out;
    }

    private static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
