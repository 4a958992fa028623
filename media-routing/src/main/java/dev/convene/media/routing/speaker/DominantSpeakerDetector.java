package dev.convene.media.routing.speaker;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Who speaks in a room, loudest first, with the dominant speaker held against brief
 * interruptions. After Volfin and Cohen ("Dominant speaker identification for multipoint
 * videoconferencing", 2013, as Jitsi's DominantSpeakerIdentification uses it) in spirit, not in
 * detail: activity is compared on two time scales, an immediate one ({@value #IMMEDIATE_BUCKETS}
 * buckets of 100 ms) and a medium one ({@value #MEDIUM_BUCKETS}), and a challenger takes over
 * only when it leads on both, by a margin, on {@value #CHALLENGE_UPDATES} updates in a row; a
 * cough or a laugh leads on the immediate scale alone and changes nothing. A dominant speaker
 * that falls silent on the medium scale is replaced at once.
 *
 * <p>The list ({@link #speakers()}) is the dominant speaker, then every other non-silent stream by
 * its medium score. Keys are whatever the caller names a stream by. Pure: time is passed in.
 * Not thread-safe: confined to the room's loop.
 */
public final class DominantSpeakerDetector<K> {

    public static final int IMMEDIATE_BUCKETS = 2;
    public static final int MEDIUM_BUCKETS = 6;
    /** A medium score below this (about 5 % of the time at -50 dBov + 1) is silence. */
    public static final double SPEAKING_THRESHOLD = 1.0;
    /** How far a challenger must lead the dominant speaker, on both scales. */
    public static final double MARGIN = 2.0;
    public static final int CHALLENGE_UPDATES = 2;

    private final Map<K, Entry> entries = new LinkedHashMap<>();
    /** The entries' keys and values in insertion order, so that a tick walks them without iterators. */
    private final List<K> keys = new ArrayList<>();
    private final List<Entry> values = new ArrayList<>();
    /** Scratch of each update: the next list, and the non-dominant speakers to sort. */
    private final List<K> next = new ArrayList<>();
    private int[] rest = new int[8];
    private List<K> speakers = List.of();
    private K dominant;
    private K challenger;
    private int challengeCount;

    private static final class Entry {
        final SpeakerActivity activity = new SpeakerActivity();
        double immediate;
        double medium;
        long lastSpokeNanos = Long.MIN_VALUE;
    }

    /** Starts following {@code key}; the packet path feeds the returned activity. */
    public SpeakerActivity add(K key) {
        Entry e = entries.get(key);
        if (e == null) {
            e = new Entry();
            entries.put(key, e);
            keys.add(key);
            values.add(e);
        }
        return e.activity;
    }

    public void remove(K key) {
        Entry e = entries.remove(key);
        if (e != null) {
            int i = values.indexOf(e);
            keys.remove(i);
            values.remove(i);
        }
    }

    /**
     * Scores every stream at {@code nowNanos} and decides the dominant speaker and the list.
     *
     * @return whether {@link #speakers()} changed
     */
    public boolean update(long nowNanos) {
        int count = values.size();
        for (int i = 0; i < count; i++) {
            Entry e = values.get(i);
            e.immediate = e.activity.score(IMMEDIATE_BUCKETS, nowNanos);
            e.medium = e.activity.score(MEDIUM_BUCKETS, nowNanos);
            if (e.medium >= SPEAKING_THRESHOLD) {
                e.lastSpokeNanos = nowNanos;
            }
        }
        decideDominant();
        // Built in scratch and compared: a new list only when it changed (ADR 0027, nothing per tick).
        next.clear();
        if (dominant != null) {
            next.add(dominant);
        }
        if (rest.length < count) {
            rest = new int[Math.max(count, rest.length * 2)];
        }
        int speaking = 0;
        for (int i = 0; i < count; i++) {
            if (keys.get(i) != dominant && values.get(i).medium >= SPEAKING_THRESHOLD) {
                // Loudest first, ties in insertion order (an insertion sort: a handful of speakers).
                double medium = values.get(i).medium;
                int j = speaking++;
                while (j > 0 && values.get(rest[j - 1]).medium < medium) {
                    rest[j] = rest[j - 1];
                    j--;
                }
                rest[j] = i;
            }
        }
        for (int k = 0; k < speaking; k++) {
            next.add(keys.get(rest[k]));
        }
        if (sameAsSpeakers()) {
            return false;
        }
        speakers = List.copyOf(next);
        return true;
    }

    /** {@code next.equals(speakers)} without the iterator that {@code equals} walks a list with. */
    private boolean sameAsSpeakers() {
        if (next.size() != speakers.size()) {
            return false;
        }
        for (int i = 0; i < next.size(); i++) {
            if (!next.get(i).equals(speakers.get(i))) {
                return false;
            }
        }
        return true;
    }

    private void decideDominant() {
        Entry current = dominant == null ? null : entries.get(dominant);
        if (current == null || current.medium < SPEAKING_THRESHOLD) {
            dominant = loudest();
            challenger = null;
            challengeCount = 0;
            return;
        }
        K best = null;
        Entry bestEntry = null;
        for (int i = 0; i < values.size(); i++) {
            Entry c = values.get(i);
            if (keys.get(i) != dominant && c.immediate > current.immediate + MARGIN && c.medium > current.medium + MARGIN
                    && (bestEntry == null || c.medium > bestEntry.medium)) {
                best = keys.get(i);
                bestEntry = c;
            }
        }
        if (best == null) {
            challenger = null;
            challengeCount = 0;
            return;
        }
        challengeCount = best.equals(challenger) ? challengeCount + 1 : 1;
        challenger = best;
        if (challengeCount >= CHALLENGE_UPDATES) {
            dominant = best;
            challenger = null;
            challengeCount = 0;
        }
    }

    /** The stream with the highest medium score above silence, or null. */
    private K loudest() {
        K best = null;
        double bestScore = SPEAKING_THRESHOLD;
        for (int i = 0; i < values.size(); i++) {
            if (values.get(i).medium >= bestScore) {
                best = keys.get(i);
                bestScore = values.get(i).medium;
            }
        }
        return best;
    }

    /** The dominant speaker first, then the other non-silent streams, loudest first. */
    public List<K> speakers() {
        return speakers;
    }

    /** The dominant speaker, or null in silence. */
    public K dominant() {
        return dominant;
    }

    /** When {@code key} last spoke (an update found it above silence), or {@link Long#MIN_VALUE}. */
    public long lastSpokeNanos(K key) {
        Entry e = entries.get(key);
        return e == null ? Long.MIN_VALUE : e.lastSpokeNanos;
    }
}
