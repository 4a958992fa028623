package dev.convene.media.routing.speaker;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Which participants' video one subscriber receives when it may receive at most N: screen
 * shares first, then pinned participants, then by speaking order (who spoke last first), then
 * by join order. Pure; runs on allocation ticks, not per packet.
 */
public final class LastNSelector {

    private static final Comparator<VideoCandidate<?>> ORDER = Comparator
            .comparing((VideoCandidate<?> c) -> !c.screenShare())
            .thenComparing(c -> !c.pinned())
            .thenComparing(VideoCandidate::lastSpokeNanos, Comparator.reverseOrder())
            .thenComparingLong(VideoCandidate::order);

    private LastNSelector() {}

    /** The keys of the first {@code n} candidates in that order. */
    public static <K> Set<K> select(List<VideoCandidate<K>> candidates, int n) {
        List<VideoCandidate<K>> sorted = new ArrayList<>(candidates);
        sorted.sort(ORDER);
        Set<K> chosen = new LinkedHashSet<>();
        for (int i = 0; i < sorted.size() && chosen.size() < n; i++) {
            chosen.add(sorted.get(i).key());
        }
        return chosen;
    }
}
