package dev.convene.media.core.codec;

import dev.convene.media.core.rtp.RtpPacket;

/**
 * What forwarding needs to know about a payload format: where a receiver can start decoding.
 * Every audio codec is {@link #AUDIO}: any packet is a switch point.
 */
public enum Codec {
    AUDIO,
    VP8,
    VP9,
    H264;

    public boolean isVideo() {
        return this != AUDIO;
    }

    /** True if the RTP payload {@code buf[off..off+len)} starts a key frame; always true for audio. */
    public boolean isKeyframe(byte[] buf, int off, int len) {
        return switch (this) {
            case AUDIO -> true;
            case VP8 -> Vp8PayloadDescriptor.isKeyframe(buf, off, len);
            case VP9 -> Vp9PayloadDescriptor.isKeyframe(buf, off, len);
            case H264 -> H264Payload.isKeyframe(buf, off, len);
        };
    }

    public boolean isKeyframe(RtpPacket packet) {
        return isKeyframe(packet.buffer(), packet.payloadOffset(), packet.payloadLength());
    }
}
