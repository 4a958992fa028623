package dev.convene.store.redis;

import dev.convene.store.EventBus;
import dev.convene.store.MeetingEvent;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Meeting events over Redis Pub/Sub, channel {@code meeting.events.{<meetingId>}}, JSON by
 * {@link MeetingEventJson}. The process shares one Pub/Sub connection: the first local
 * subscription of a meeting SUBSCRIBEs its channel (and returns only once Redis confirmed, so
 * nothing published afterwards is missed), the last one to close UNSUBSCRIBEs. Messages are
 * handed off Lettuce's event loop to one delivery thread, which decodes them and calls the
 * listeners in arrival order; a slow listener thus delays other meetings' events on this node
 * but never Redis I/O. After a reconnect Lettuce subscribes the channels again by itself;
 * what was published while disconnected is lost (at-most-once, as the interface says).
 */
public final class RedisEventBus implements EventBus, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RedisEventBus.class);

    private final RedisConnection redis;
    private final StatefulRedisPubSubConnection<String, String> pubSub;
    private final ExecutorService delivery;
    private final ConcurrentMap<UUID, CopyOnWriteArrayList<Sub>> topics = new ConcurrentHashMap<>();
    /** Serializes SUBSCRIBE/UNSUBSCRIBE decisions so the reference counts and Redis agree. */
    private final ReentrantLock subscriptionLock = new ReentrantLock();

    RedisEventBus(RedisConnection redis, StatefulRedisPubSubConnection<String, String> pubSub) {
        this.redis = redis;
        this.pubSub = pubSub;
        this.delivery = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "convene-redis-events");
            t.setDaemon(true);
            return t;
        });
        pubSub.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String message) {
                try {
                    delivery.execute(() -> deliver(channel, message));
                } catch (RejectedExecutionException closed) {
                    // The bus is closing; late messages are dropped, as at-most-once allows.
                }
            }
        });
    }

    @Override
    public void publish(UUID meetingId, MeetingEvent event) {
        Objects.requireNonNull(event, "event");
        String json = MeetingEventJson.write(event);
        redis.call("event_publish", r -> r.publish(RedisKeys.meetingEvents(meetingId), json));
    }

    @Override
    public Subscription subscribe(UUID meetingId, Listener listener) {
        Objects.requireNonNull(meetingId, "meetingId");
        Objects.requireNonNull(listener, "listener");
        Sub sub = new Sub(meetingId, listener);
        subscriptionLock.lock();
        try {
            CopyOnWriteArrayList<Sub> subs = topics.get(meetingId);
            if (subs == null) {
                String channel = RedisKeys.meetingEvents(meetingId);
                try {
                    pubSub.sync().subscribe(channel);
                } catch (RuntimeException e) {
                    throw RedisConnection.translate("event_subscribe", e);
                }
                subs = new CopyOnWriteArrayList<>();
                topics.put(meetingId, subs);
            }
            subs.add(sub);
        } finally {
            subscriptionLock.unlock();
        }
        return sub;
    }

    /** Meetings this process is subscribed to; for tests and metrics. */
    public int subscribedMeetings() {
        return topics.size();
    }

    private void unsubscribe(Sub sub) {
        subscriptionLock.lock();
        try {
            CopyOnWriteArrayList<Sub> subs = topics.get(sub.meetingId);
            if (subs == null || !subs.remove(sub) || !subs.isEmpty()) {
                return;
            }
            topics.remove(sub.meetingId);
            // Asynchronous: closing must not wait on Redis. Commands of one connection run in
            // order, so a later SUBSCRIBE of the same channel cannot overtake this one.
            pubSub.async().unsubscribe(RedisKeys.meetingEvents(sub.meetingId)).exceptionally(e -> {
                log.debug("event=bus_unsubscribe_failed meeting_id={} error={}", sub.meetingId, e.toString());
                return null;
            });
        } finally {
            subscriptionLock.unlock();
        }
    }

    private void deliver(String channel, String message) {
        UUID meetingId = RedisKeys.meetingOfEventsChannel(channel);
        if (meetingId == null) {
            return;
        }
        List<Sub> subs = topics.get(meetingId);
        if (subs == null) {
            return;
        }
        MeetingEvent event;
        try {
            event = MeetingEventJson.read(message);
        } catch (IllegalArgumentException e) {
            log.warn("event=bus_message_unreadable meeting_id={} error={}", meetingId, e.getMessage());
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

    /** Stops delivery; subscriptions end with the Pub/Sub connection, which {@link RedisStores} closes. */
    @Override
    public void close() {
        for (List<Sub> subs : topics.values()) {
            for (Sub sub : subs) {
                sub.open.set(false);
            }
        }
        topics.clear();
        delivery.shutdown();
        try {
            if (!delivery.awaitTermination(2, TimeUnit.SECONDS)) {
                delivery.shutdownNow();
            }
        } catch (InterruptedException e) {
            delivery.shutdownNow();
            Thread.currentThread().interrupt();
        }
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
                unsubscribe(this);
            }
        }
    }
}
