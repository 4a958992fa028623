package dev.convene.store;

import java.util.UUID;

/**
 * Live meeting events, one topic per meeting. Delivery is at-most-once and live only: a
 * subscriber hears events published after it subscribed, and nothing of the past (history
 * comes from the stores). Events of one publisher reach one subscriber in publication order.
 */
public interface EventBus {

    void publish(UUID meetingId, MeetingEvent event);

    /**
     * Subscribes to one meeting's events until the returned subscription is closed. Listeners
     * must not block: implementations may call them on the publisher's thread.
     */
    Subscription subscribe(UUID meetingId, Listener listener);

    @FunctionalInterface
    interface Listener {
        void onEvent(UUID meetingId, MeetingEvent event);
    }

    /** Closing twice is harmless. */
    interface Subscription extends AutoCloseable {
        @Override
        void close();
    }
}
