package dev.convene.signaling.http;

import dev.convene.signaling.SignalingStores;
import dev.convene.signaling.placement.SfuDirectory;
import dev.convene.store.Meeting;
import dev.convene.store.StoreUnavailableException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WHIP and WHEP sessions this signaling node holds, by resource id. The node's timer keeps
 * their seats, presence and meeting placements alive as it does for sockets; a node that stops
 * (or crashes) lets them lapse, and shutdown ends them as leaves.
 */
public final class MediaResources {

    private static final Logger log = LoggerFactory.getLogger(MediaResources.class);

    private final Map<String, MediaResource> byId = new ConcurrentHashMap<>();
    private final SignalingStores stores;
    private final SfuDirectory sfus;
    private final Duration presenceTtl;

    public MediaResources(SignalingStores stores, SfuDirectory sfus, Duration presenceTtl) {
        this.stores = stores;
        this.sfus = sfus;
        this.presenceTtl = presenceTtl;
    }

    Duration presenceTtl() {
        return presenceTtl;
    }

    void add(MediaResource r) {
        byId.put(r.resourceId(), r);
    }

    void remove(MediaResource r) {
        byId.remove(r.resourceId(), r);
    }

    Optional<MediaResource> find(String resourceId) {
        return Optional.ofNullable(byId.get(resourceId));
    }

    public int size() {
        return byId.size();
    }

    /** Seats, presence and placements of every session here, again. Called by the node's timer. */
    public void renew() {
        Map<UUID, Integer> capacities = new HashMap<>();
        try {
            for (MediaResource r : byId.values()) {
                if (r.session() == null || r.ended()) {
                    continue;
                }
                UUID meeting = r.meetingId();
                if (!capacities.containsKey(meeting)) {
                    sfus.keepPlacement(meeting, r.sfuNodeId());
                }
                Integer capacity = capacities.computeIfAbsent(meeting,
                        id -> stores.meetings().find(id).map(Meeting::capacity).orElse(null));
                if (capacity != null && !stores.seats().reserve(meeting, r.participantId(), capacity)) {
                    log.warn("event=seat_renew_refused meeting_id={} participant_id={} reason=meeting_full", meeting,
                            r.participantId());
                }
                r.touchPresence(presenceTtl);
            }
        } catch (StoreUnavailableException e) {
            log.debug("event=media_resource_renew_skipped reason=\"{}\"", e.getMessage());
        }
    }

    /** Ends every session as a leave, e.g. on shutdown. */
    public void closeAll() {
        for (MediaResource r : new ArrayList<>(byId.values())) {
            r.end("shutdown");
        }
    }

    List<MediaResource> all() {
        return List.copyOf(byId.values());
    }
}
