package dev.convene.media.routing;

import dev.convene.media.core.rtp.RtpPacket;

/**
 * What one subscriber leg sent of its media (retransmissions not included): packets, bytes,
 * and the recent bitrate that sizes the leg's {@link RetransmissionBudget}. Not thread-safe.
 */
public final class SendStats implements PipelineStage {

    private final BitrateMeter bitrate = new BitrateMeter();
    private long packets;
    private long bytes;

    public void onSent(RtpPacket packet, long nowNanos) {
        packets++;
        bytes += packet.length();
        bitrate.record(packet.length(), nowNanos);
    }

    public long packets() { return packets; }

    public long bytes() { return bytes; }

    public long bitsPerSecond(long nowNanos) { return bitrate.bitsPerSecond(nowNanos); }

    @Override
    public String name() {
        return "send_stats";
    }

    @Override
    public void appendCounters(CounterSink sink) {
        sink.counter("packets", packets);
        sink.counter("bytes", bytes);
    }
}
