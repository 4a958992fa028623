package dev.convene.control;

import dev.convene.sfu.ParticipantListener;
import dev.convene.sfu.SubscribedTrack;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A listener that keeps what it hears, for assertions. */
final class RecordingListener implements ParticipantListener {

    record Offer(String sdp, List<SubscribedTrack> tracks) {}

    final List<Offer> offers = new CopyOnWriteArrayList<>();
    final List<String> failures = new CopyOnWriteArrayList<>();
    final java.util.concurrent.atomic.AtomicBoolean moved = new java.util.concurrent.atomic.AtomicBoolean();

    @Override
    public void onSessionMoved() {
        moved.set(true);
    }

    @Override
    public void onSubscriberOffer(String sdpOffer, List<SubscribedTrack> tracks) {
        offers.add(new Offer(sdpOffer, tracks));
    }

    @Override
    public void onMediaFailed(String reason) {
        failures.add(reason);
    }
}
