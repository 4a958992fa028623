package dev.convene.sfu.net;

import io.netty.buffer.ByteBuf;

/**
 * Cuts a TCP byte stream into RFC 4571 frames: a 16-bit big-endian length, then that many bytes
 * of one STUN, DTLS, RTP or RTCP packet. Frames are assembled in one buffer of fixed size that
 * belongs to the connection, so a connection never holds more than one frame whatever the peer
 * sends, and no frame allocates.
 *
 * <p>A frame longer than {@code maxFrame} is skipped without being buffered (the length prefix
 * still says where the next frame starts) and reported as oversized; a zero-length frame is
 * reported as empty. Both are the sink's to count. Not thread-safe: one per connection, on its
 * event loop.
 */
public final class Rfc4571Deframer {

    /** Receives frames. {@code buf[0, len)} is reused once the call returns. */
    public interface FrameSink {
        void onFrame(byte[] buf, int len);

        /** A frame that was not delivered: its length was 0 or above the limit. */
        void onDroppedFrame(int declaredLength);
    }

    private final int maxFrame;
    private final byte[] frame;
    /** Bytes of the current frame's length prefix read so far (0, 1 or 2). */
    private int headerRead;
    private int length;
    /** Bytes of the current frame's body read (or skipped) so far. */
    private int bodyRead;

    /**
     * @param maxFrame the longest frame delivered
     * @param trailerRoom spare bytes after the longest frame, for in-place transforms by the sink
     */
    public Rfc4571Deframer(int maxFrame, int trailerRoom) {
        if (maxFrame < 1 || maxFrame > 0xFFFF) {
            throw new IllegalArgumentException("maxFrame must be 1..65535, was " + maxFrame);
        }
        this.maxFrame = maxFrame;
        this.frame = new byte[maxFrame + trailerRoom];
    }

    /** Consumes all of {@code in}, calling the sink for each frame it completes. */
    public void feed(ByteBuf in, FrameSink sink) {
        while (in.isReadable()) {
            if (headerRead < 2) {
                length = (length << 8) | in.readUnsignedByte();
                if (++headerRead < 2) {
                    continue;
                }
                bodyRead = 0;
                if (length == 0) {
                    sink.onDroppedFrame(0);
                    reset();
                    continue;
                }
            }
            int take = Math.min(length - bodyRead, in.readableBytes());
            if (length > maxFrame) {
                in.skipBytes(take);
            } else {
                in.readBytes(frame, bodyRead, take);
            }
            bodyRead += take;
            if (bodyRead == length) {
                int complete = length;
                reset();
                if (complete > maxFrame) {
                    sink.onDroppedFrame(complete);
                } else {
                    sink.onFrame(frame, complete);
                }
            }
        }
    }

    /** Whether the stream is between frames (nothing of a frame read yet). */
    public boolean atFrameBoundary() {
        return headerRead == 0;
    }

    private void reset() {
        headerRead = 0;
        length = 0;
        bodyRead = 0;
    }

    /** The length prefix for a frame of {@code len} bytes, written into {@code out} at its writer index. */
    public static void writeHeader(ByteBuf out, int len) {
        if (len < 0 || len > 0xFFFF) {
            throw new IllegalArgumentException("an RFC 4571 frame holds 0..65535 bytes, not " + len);
        }
        out.writeShort(len);
    }
}
