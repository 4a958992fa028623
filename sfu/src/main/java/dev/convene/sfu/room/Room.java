package dev.convene.sfu.room;

import dev.convene.media.routing.speaker.DominantSpeakerDetector;
import dev.convene.sfu.TrackKind;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The participants of one meeting on this node, who receives whose tracks, and who speaks:
 * the room's {@link DominantSpeakerDetector} ranks its audio tracks, which decides the audio
 * each subscriber receives (the loudest few) and the speaking order its video last-N follows.
 * Confined to the media event loop, like everything it reaches.
 */
final class Room {

    /** Clients hear of a new speaker list at most this often: a UI ring need not flicker faster. */
    static final long ANNOUNCE_INTERVAL_NANOS = 250_000_000L;

    private final String meetingId;
    private final int maxAudioStreams;
    private final Map<String, Participant> participants = new LinkedHashMap<>();
    private final DominantSpeakerDetector<PublishedTrack> speakers = new DominantSpeakerDetector<>();
    private List<String> announced = List.of();
    private long announcedNanos = Long.MIN_VALUE;
    private long joins;
    private int rankedAudioTracks;

    Room(String meetingId, int maxAudioStreams) {
        this.meetingId = meetingId;
        this.maxAudioStreams = maxAudioStreams;
    }

    /** Numbers participants in the order they joined, for last-N ties. */
    long nextJoinOrder() {
        return joins++;
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
        if (!announced.isEmpty()) {
            joining.onActiveSpeakers(announced);
        }
    }

    void remove(Participant leaving) {
        participants.remove(leaving.participantId(), leaving);
    }

    void onTrackPublished(PublishedTrack track) {
        if (track.kind() == TrackKind.AUDIO && track.audioLevelExtensionId() > 0) {
            track.setSpeakerActivity(speakers.add(track));
            rankedAudioTracks++;
        }
        for (Participant p : participants.values()) {
            if (p != track.publisher() && p.receivesRoom()) {
                p.subscribe(track);
                p.renegotiateSubscriber();
            }
        }
    }

    void onTrackEnded(PublishedTrack track) {
        if (track.speakerActivity() != null) {
            speakers.remove(track);
            rankedAudioTracks--;
        }
        for (Participant p : new ArrayList<>(participants.values())) {
            if (p != track.publisher() && p.unsubscribe(track)) {
                p.renegotiateSubscriber();
            }
        }
    }

    List<Participant> participants() {
        return List.copyOf(participants.values());
    }

    /**
     * Whether {@code subscriber} receives the audio track {@code track} now: one of the
     * {@code maxAudioStreams} loudest non-silent speakers other than itself. A track without the
     * audio level extension cannot be ranked, so it is always forwarded.
     */
    boolean audioSelected(PublishedTrack track, Participant subscriber) {
        if (track.speakerActivity() == null || rankedAudioFrom(subscriber) <= maxAudioStreams) {
            return true;
        }
        int rank = 0;
        for (PublishedTrack speaking : speakers.speakers()) {
            if (speaking.publisher() == subscriber) {
                continue;
            }
            if (speaking == track) {
                return true;
            }
            if (++rank >= maxAudioStreams) {
                return false;
            }
        }
        return false;
    }

    /**
     * The ranked audio tracks {@code subscriber} could receive. With no more than the limit there
     * is nothing to choose: all are forwarded, so nobody's first syllable waits for the detector.
     */
    private int rankedAudioFrom(Participant subscriber) {
        int count = rankedAudioTracks;
        for (PublishedTrack own : subscriber.tracks()) {
            if (own.speakerActivity() != null) {
                count--;
            }
        }
        return count;
    }

    /** When {@code p} last spoke, for the speaking order of last-N; {@link Long#MIN_VALUE} if never. */
    long lastSpokeNanos(Participant p) {
        long last = Long.MIN_VALUE;
        for (PublishedTrack track : p.tracks()) {
            if (track.speakerActivity() != null) {
                last = Math.max(last, speakers.lastSpokeNanos(track));
            }
        }
        return last;
    }

    /**
     * Every 100 ms: ranks the speakers; on a change, every subscriber's audio follows at once
     * and clients hear the new list (at most every {@link #ANNOUNCE_INTERVAL_NANOS}); then each
     * video track's publisher is told which layers anyone still takes (dynacast).
     */
    void speakerTick(long nowNanos) {
        List<Participant> everyone = participants();
        if (speakers.update(nowNanos)) {
            for (Participant p : everyone) {
                p.allocateAudio(nowNanos);
            }
        }
        if (announcedNanos == Long.MIN_VALUE || nowNanos - announcedNanos >= ANNOUNCE_INTERVAL_NANOS) {
            List<String> ids = new ArrayList<>();
            for (PublishedTrack track : speakers.speakers()) {
                String id = track.publisher().participantId();
                if (!ids.contains(id)) {
                    ids.add(id);
                }
            }
            if (!ids.equals(announced)) {
                announced = List.copyOf(ids);
                announcedNanos = nowNanos;
                for (Participant p : everyone) {
                    p.onActiveSpeakers(announced);
                }
            }
        }
        for (Participant p : everyone) {
            p.updateLayerDemand(nowNanos);
        }
    }

    /** The speaker list last announced to clients, dominant first. */
    List<String> announcedSpeakers() {
        return announced;
    }
}
