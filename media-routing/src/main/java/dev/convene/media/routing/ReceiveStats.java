package dev.convene.media.routing;

import dev.convene.media.core.rtp.RtpPacket;
import dev.convene.media.core.rtp.SequenceNumberUnwrapper;

/**
 * What arrived on one published stream, counted after RTX decoding: packets, bytes and the
 * extended sequence range, the inputs of receiver reports (RFC 3550 §6.4.1). Not thread-safe.
 */
public final class ReceiveStats implements PipelineStage {

    private final SequenceNumberUnwrapper sequenceNumbers = new SequenceNumberUnwrapper();
    private final BitrateMeter bitrate = new BitrateMeter();
    private long packets;
    private long bytes;
    private long firstSequence;
    private long highestSequence = -1;

    public void onPacket(RtpPacket packet, long nowNanos) {
        long seq = sequenceNumbers.unwrap(packet.sequenceNumber());
        if (packets == 0) {
            firstSequence = seq;
            highestSequence = seq;
        } else if (seq > highestSequence) {
            highestSequence = seq;
        } else if (seq < firstSequence) {
            firstSequence = seq;
        }
        packets++;
        bytes += packet.length();
        bitrate.record(packet.length(), nowNanos);
    }

    public long packets() { return packets; }

    public long bytes() { return bytes; }

    /** Extended sequence number of the first packet (or of an earlier one reordered behind it). */
    public long firstSequenceNumber() { return firstSequence; }

    /** Extended highest sequence number received, or -1 before the first packet. */
    public long highestSequenceNumber() { return highestSequence; }

    /** Packets the sender sent from the first to the highest received. */
    public long expected() { return packets == 0 ? 0 : highestSequence - firstSequence + 1; }

    public long bitsPerSecond(long nowNanos) { return bitrate.bitsPerSecond(nowNanos); }

    @Override
    public String name() {
        return "receive_stats";
    }

    @Override
    public void appendCounters(CounterSink sink) {
        sink.counter("packets", packets);
        sink.counter("bytes", bytes);
        sink.counter("expected", expected());
    }
}
