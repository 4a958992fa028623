package dev.convene.signaling.http;

import dev.convene.sfu.ParticipantListener;
import dev.convene.sfu.ParticipantSession;
import dev.convene.sfu.SubscribedTrack;
import dev.convene.sfu.TrackInfo;
import dev.convene.signaling.SignalingStores;
import dev.convene.signaling.protocol.Wire;
import dev.convene.store.EventBus;
import dev.convene.store.MeetingEvent;
import dev.convene.store.StoreUnavailableException;
import dev.convene.store.TrackSummary;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WHIP or WHEP session (ADR 0025): a participant of a meeting without a signaling socket,
 * alive from the POST that made it until its DELETE, its media failing, its removal or the
 * meeting's end. It holds what a socket would: a seat, presence, an SFU session, the meeting's
 * event topic (for removal, host mutes and the end); {@link MediaResources} renews the seat and
 * presence as the socket registry does for sockets.
 */
final class MediaResource implements ParticipantListener {

    private static final Logger log = LoggerFactory.getLogger(MediaResource.class);

    enum Kind {
        WHIP, WHEP;

        String path() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final Kind kind;
    private final String resourceId;
    private final UUID meetingId;
    private final String participantId;
    private final String userId;
    private final String displayName;
    private final String etag;
    private final String sfuNodeId;
    private final SignalingStores stores;
    private final Clock clock;
    private final MediaResources registry;
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile ParticipantSession session;
    private volatile EventBus.Subscription subscription;
    private volatile List<TrackInfo> tracks = List.of();
    /** Whether the others were told of it (a refused offer ends a session nobody heard of). */
    private volatile boolean announced;

    MediaResource(Kind kind, String resourceId, UUID meetingId, String participantId, String userId, String displayName,
            String sfuNodeId, SignalingStores stores, Clock clock, MediaResources registry) {
        this.kind = kind;
        this.resourceId = resourceId;
        this.meetingId = meetingId;
        this.participantId = participantId;
        this.userId = userId;
        this.displayName = displayName;
        this.etag = "\"" + UUID.randomUUID() + "\"";
        this.sfuNodeId = sfuNodeId;
        this.stores = stores;
        this.clock = clock;
        this.registry = registry;
    }

    Kind kind() {
        return kind;
    }

    String resourceId() {
        return resourceId;
    }

    UUID meetingId() {
        return meetingId;
    }

    String participantId() {
        return participantId;
    }

    String userId() {
        return userId;
    }

    String etag() {
        return etag;
    }

    String sfuNodeId() {
        return sfuNodeId;
    }

    boolean ended() {
        return ended.get();
    }

    String location() {
        return "/v1/meetings/" + meetingId + "/" + kind.path() + "/" + resourceId;
    }

    /** The SFU session joined; from now on the meeting's removals, mutes and end reach this resource. */
    void attach(ParticipantSession s) {
        session = s;
        subscription = stores.events().subscribe(meetingId, (id, event) -> onMeetingEvent(event));
    }

    ParticipantSession session() {
        return session;
    }

    /** The media is set up: the participant is present, recorded and announced, with its tracks. */
    void announce(List<TrackInfo> published) {
        tracks = List.copyOf(published);
        announced = true;
        touchPresence(registry.presenceTtl());
        stores.participants().record(
                dev.convene.store.Participant.joined(participantId, meetingId, userId, displayName, clock.instant()));
        publish(new MeetingEvent.ParticipantJoined(participantId, displayName));
        for (TrackInfo t : published) {
            publish(new MeetingEvent.TrackPublished(participantId,
                    new TrackSummary(t.trackId(), Wire.toStore(t.kind()), Wire.toStore(t.source()), t.muted())));
        }
        log.info("event=media_resource_started kind={} meeting_id={} participant_id={} resource={} tracks={}",
                kind.path(), meetingId, participantId, resourceId, published.size());
    }

    void touchPresence(Duration ttl) {
        try {
            stores.presence().touch(meetingId, participantId, ttl);
        } catch (StoreUnavailableException e) {
            log.debug("event=presence_touch_skipped participant_id={} reason=\"{}\"", participantId, e.getMessage());
        }
    }

    private void onMeetingEvent(MeetingEvent event) {
        switch (event) {
            case MeetingEvent.MeetingEnded e -> endSoon("meeting_ended");
            case MeetingEvent.ParticipantRemoved e when e.participantId().equals(participantId) -> endSoon("removed");
            case MeetingEvent.MutedByHost e when e.participantId().equals(participantId) -> {
                ParticipantSession s = session;
                for (TrackInfo t : tracks) {
                    if (s != null && Wire.toStore(t.kind()) == e.kind()) {
                        Thread.ofVirtual().start(() -> s.setMuted(t.trackId(), true));
                        publish(new MeetingEvent.TrackMuted(participantId, t.trackId(), true));
                    }
                }
            }
            default -> { }
        }
    }

    @Override
    public void onSubscriberOffer(String sdpOffer, List<SubscribedTrack> subscribed) {
        // A WHIP ingest receives nothing and a WHEP player has its answer; offers made before the
        // session learnt which it is (at join) go unanswered, by design.
    }

    @Override
    public void onMediaFailed(String reason) {
        log.info("event=media_resource_failed kind={} meeting_id={} participant_id={} reason=\"{}\"", kind.path(),
                meetingId, participantId, reason);
        endSoon("media_failed");
    }

    /** From a thread that must not wait (SFU callback, event delivery). */
    private void endSoon(String why) {
        if (!ended.get()) {
            Thread.ofVirtual().name("convene-media-resource-end").start(() -> end(why));
        }
    }

    /**
     * Everything the participant holds, released once: SFU session, topic, seat, presence, and the
     * others' view of it.
     *
     * @return true if this call ended it
     */
    boolean end(String why) {
        if (!ended.compareAndSet(false, true)) {
            return false;
        }
        registry.remove(this);
        EventBus.Subscription sub = subscription;
        if (sub != null) {
            quietly("unsubscribe", sub::close);
        }
        ParticipantSession s = session;
        if (s != null) {
            quietly("sfu_close", s::close);
        }
        quietly("release_seat", () -> stores.seats().release(meetingId, participantId));
        if (announced) {
            quietly("presence_remove", () -> stores.presence().remove(meetingId, participantId));
            quietly("mark_left", () -> stores.participants().markLeft(meetingId, participantId, clock.instant()));
            quietly("publish_left", () -> publish(new MeetingEvent.ParticipantLeft(participantId)));
        }
        log.info("event=media_resource_ended kind={} meeting_id={} participant_id={} resource={} reason={}", kind.path(),
                meetingId, participantId, resourceId, why);
        return true;
    }

    private void publish(MeetingEvent event) {
        stores.events().publish(meetingId, event);
    }

    private void quietly(String step, Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            log.warn("event=cleanup_step_failed step={} meeting_id={} participant_id={} error={}", step, meetingId,
                    participantId, e.toString());
        }
    }
}
