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
        return entries.computeIfAbsent(key, k -> new Entry()).activity;
    }

    public void remove(K key) {
        entries.remove(key);
    }

    /**
     * Scores every stream at {@code nowNanos} and decides the dominant speaker and the list.
     *
     * @return whether {@link #speakers()} changed
     */
    public boolean update(long nowNanos) {
        for (Entry e : entries.values()) {
            e.immediate = e.activity.score(IMMEDIATE_BUCKETS, nowNanos);
            e.medium = e.activity.score(MEDIUM_BUCKETS, nowNanos);
            if (e.medium >= SPEAKING_THRESHOLD) {
                e.lastSpokeNanos = nowNanos;
            }
        }
        decideDominant();
        List<K> next = new ArrayList<>();
        if (dominant != null) {
            next.add(dominant);
        }
        List<Map.Entry<K, Entry>> rest = new ArrayList<>();
        for (Map.Entry<K, Entry> e : entries.entrySet()) {
            if (e.getKey() != dominant && e.getValue().medium >= SPEAKING_THRESHOLD) {
                rest.add(e);
            }
        }
        rest.sort((a, b) -> Double.compare(b.getValue().medium, a.getValue().medium));
        for (Map.Entry<K, Entry> e : rest) {
            next.add(e.getKey());
        }
        boolean changed = !next.equals(speakers);
        speakers = List.copyOf(next);
        return changed;
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
        for (Map.Entry<K, Entry> e : entries.entrySet()) {
            Entry c = e.getValue();
            if (e.getKey() != dominant && c.immediate > current.immediate + MARGIN && c.medium > current.medium + MARGIN
                    && (bestEntry == null || c.medium > bestEntry.medium)) {
                best = e.getKey();
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
        for (Map.Entry<K, Entry> e : entries.entrySet()) {
            if (e.getValue().medium >= bestScore) {
                best = e.getKey();
                bestScore = e.getValue().medium;
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
