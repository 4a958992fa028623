package dev.convene.sfu.room;

import dev.convene.media.routing.speaker.DominantSpeakerDetector;
import dev.convene.media.routing.speaker.LastNSelector;
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
    /**
     * The participants as an array, rebuilt when one joins or leaves: the ticks walk it without
     * iterators or copies, and each participant's index in it numbers it for last-N (ADR 0027).
     */
    private Participant[] members = new Participant[0];
    /** Speaking order of {@link #members} (indices) at {@link #orderNanos}; scratch for it. */
    private int[] speakingOrder = new int[0];
    private long[] lastSpoke = new long[0];
    private long[] joinOrders = new long[0];
    private long orderNanos;
    private boolean orderValid;

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
        membersChanged();
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
        if (participants.remove(leaving.participantId(), leaving)) {
            membersChanged();
        }
    }

    private void membersChanged() {
        members = participants.values().toArray(new Participant[0]);
        int n = members.length;
        speakingOrder = new int[n];
        lastSpoke = new long[n];
        joinOrders = new long[n];
        for (int i = 0; i < n; i++) {
            members[i].setRoomIndex(i);
            speakingOrder[i] = i;
            joinOrders[i] = members[i].joinOrder();
        }
        orderValid = false;
    }

    /** The participants now, in join order; a snapshot the caller must not change. */
    Participant[] members() {
        return members;
    }

    /**
     * {@link #members}' indices in speaking order for last-N (who spoke last first, then join
     * order), sorted once per instant for every subscriber of the room.
     */
    int[] speakingOrder(long nowNanos) {
        if (!orderValid || nowNanos != orderNanos) {
            for (int i = 0; i < members.length; i++) {
                lastSpoke[i] = lastSpokeNanos(members[i]);
            }
            LastNSelector.sortBySpeakingOrder(speakingOrder, members.length, lastSpoke, joinOrders);
            orderNanos = nowNanos;
            orderValid = true;
        }
        return speakingOrder;
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
        List<PublishedTrack> speaking = speakers.speakers();
        for (int i = 0; i < speaking.size(); i++) {
            PublishedTrack candidate = speaking.get(i);
            if (candidate.publisher() == subscriber) {
                continue;
            }
            if (candidate == track) {
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
        for (PublishedTrack own : subscriber.trackArray()) {
            if (own.speakerActivity() != null) {
                count--;
            }
        }
        return count;
    }

    /** When {@code p} last spoke, for the speaking order of last-N; {@link Long#MIN_VALUE} if never. */
    long lastSpokeNanos(Participant p) {
        long last = Long.MIN_VALUE;
        for (PublishedTrack track : p.trackArray()) {
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
        Participant[] everyone = members;
        if (speakers.update(nowNanos)) {
            for (Participant p : everyone) {
                p.allocateAudio(nowNanos);
            }
        }
        if ((announcedNanos == Long.MIN_VALUE || nowNanos - announcedNanos >= ANNOUNCE_INTERVAL_NANOS)
                && !speakersAsAnnounced()) {
            List<String> ids = new ArrayList<>();
            List<PublishedTrack> speaking = speakers.speakers();
            for (int i = 0; i < speaking.size(); i++) {
                String id = speaking.get(i).publisher().participantId();
                if (!ids.contains(id)) {
                    ids.add(id);
                }
            }
            announced = List.copyOf(ids);
            announcedNanos = nowNanos;
            for (Participant p : everyone) {
                p.onActiveSpeakers(announced);
            }
        }
        for (Participant p : everyone) {
            p.updateLayerDemand(nowNanos);
        }
    }

    /**
     * Whether the speakers' publishers, each once in order, are the list announced last: asked
     * every few ticks, so it compares in place and builds a list only for a change.
     */
    private boolean speakersAsAnnounced() {
        List<PublishedTrack> speaking = speakers.speakers();
        int k = 0;
        for (int i = 0; i < speaking.size(); i++) {
            String id = speaking.get(i).publisher().participantId();
            boolean earlier = false;
            for (int j = 0; j < i && !earlier; j++) {
                earlier = speaking.get(j).publisher().participantId().equals(id);
            }
            if (earlier) {
                continue;
            }
            if (k >= announced.size() || !announced.get(k).equals(id)) {
                return false;
            }
            k++;
        }
        return k == announced.size();
    }

    /** The speaker list last announced to clients, dominant first. */
    List<String> announcedSpeakers() {
        return announced;
    }
}
