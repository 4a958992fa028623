package dev.convene.sfu.room;

import dev.convene.sfu.TrackKind;
import dev.convene.sfu.negotiation.Codec;
import dev.convene.sfu.negotiation.SfuCodecs;

/** One m-line of a subscriber transport; free (inactive) when it carries no forwarder. */
final class SubscriberSlot {
    final String mid;
    final TrackKind kind;
    Forwarder forwarder;
    /** What the m-line offers: the codec of its current or last track. */
    Codec codec;

    SubscriberSlot(String mid, TrackKind kind) {
        this.mid = mid;
        this.kind = kind;
        this.codec = SfuCodecs.idle(kind);
    }
}
