package dev.convene.store.memory;

import dev.convene.store.EventBus;
import dev.convene.store.MeetingEvent;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An event bus inside one process. Delivery is synchronous, on the publisher's thread, to the
 * subscribers of the moment (a copy-on-write snapshot), in subscription order; so one
 * publisher's events reach each subscriber in order. A listener that throws is logged and
 * skipped: it never stops delivery to the others nor fails the publisher.
 */
public final class InMemoryEventBus implements EventBus {

    private static final Logger log = LoggerFactory.getLogger(InMemoryEventBus.class);

    private final ConcurrentMap<UUID, CopyOnWriteArrayList<Sub>> topics = new ConcurrentHashMap<>();

    public InMemoryEventBus() {}

    @Override
    public void publish(UUID meetingId, MeetingEvent event) {
        CopyOnWriteArrayList<Sub> subs = topics.get(meetingId);
        if (subs == null) {
            return;
        }
        for (Sub sub : subs) {
            if (sub.open.get()) {
                try {
                    sub.listener.onEvent(meetingId, event);
                } catch (RuntimeException e) {
                    log.warn("event=bus_listener_failed meeting_id={} event_type={} error={}",
                            meetingId, event.getClass().getSimpleName(), e.toString());
                }
            }
        }
    }

    @Override
    public Subscription subscribe(UUID meetingId, Listener listener) {
        Sub sub = new Sub(meetingId, listener);
        topics.compute(meetingId, (id, subs) -> {
            CopyOnWriteArrayList<Sub> list = subs == null ? new CopyOnWriteArrayList<>() : subs;
            list.add(sub);
            return list;
        });
        return sub;
    }

    /** Number of open subscriptions of a meeting; for tests and metrics. */
    public int subscriberCount(UUID meetingId) {
        CopyOnWriteArrayList<Sub> subs = topics.get(meetingId);
        return subs == null ? 0 : subs.size();
    }

    private final class Sub implements Subscription {
        final UUID meetingId;
        final Listener listener;
        final AtomicBoolean open = new AtomicBoolean(true);

        Sub(UUID meetingId, Listener listener) {
            this.meetingId = meetingId;
            this.listener = listener;
        }

        @Override
        public void close() {
            if (open.compareAndSet(true, false)) {
                topics.computeIfPresent(meetingId, (id, subs) -> {
                    subs.remove(this);
                    return subs.isEmpty() ? null : subs;
                });
            }
        }
    }
}
