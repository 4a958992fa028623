package dev.convene.sfu.room;

import dev.convene.sfu.TrackKind;

/** One m-line of a subscriber transport; free (inactive) when it carries no forwarder. */
final class SubscriberSlot {
    final String mid;
    final TrackKind kind;
    Forwarder forwarder;

    SubscriberSlot(String mid, TrackKind kind) {
        this.mid = mid;
        this.kind = kind;
    }
}
