package dev.convene.sfu.room;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The participants of one meeting on this node and who receives whose tracks. Confined to
 * the media event loop, like everything it reaches.
 */
final class Room {

    private final String meetingId;
    private final Map<String, Participant> participants = new LinkedHashMap<>();

    Room(String meetingId) {
        this.meetingId = meetingId;
    }

    String meetingId() {
        return meetingId;
    }

    boolean isEmpty() {
        return participants.isEmpty();
    }

    /** Adds a participant and subscribes it to every track already published. */
    void add(Participant joining) {
        Participant previous = participants.put(joining.participantId(), joining);
        if (previous != null) {
            // The same participant joined again (a reconnect): the old session ends, and its
            // owner is told, so a remote signaling node does not keep a session that is gone.
            previous.replaceBy();
            participants.put(joining.participantId(), joining);
        }
        for (Participant other : participants.values()) {
            if (other != joining) {
                for (PublishedTrack track : other.tracks()) {
                    joining.subscribe(track);
                }
            }
        }
        joining.renegotiateSubscriber();
    }

    void remove(Participant leaving) {
        participants.remove(leaving.participantId(), leaving);
    }

    void onTrackPublished(PublishedTrack track) {
        for (Participant p : participants.values()) {
            if (p != track.publisher() && p.receivesRoom()) {
                p.subscribe(track);
                p.renegotiateSubscriber();
            }
        }
    }

    void onTrackEnded(PublishedTrack track) {
        for (Participant p : new ArrayList<>(participants.values())) {
            if (p != track.publisher() && p.unsubscribe(track)) {
                p.renegotiateSubscriber();
            }
        }
    }

    List<Participant> participants() {
        return List.copyOf(participants.values());
    }
}
