package dev.convene.sfu.room;

import java.util.Arrays;
import java.util.function.Predicate;

/**
 * The publisher's SSRCs (media and RTX) and the track layers they carry. A participant publishes a handful of
 * streams, so a linear scan of a primitive array beats a map and, unlike {@code Map<Long, …>},
 * boxes nothing on the packet path. Confined to the media loop.
 */
final class SsrcTable {

    private long[] ssrcs = new long[4];
    private TrackLayer[] tracks = new TrackLayer[4];
    private int size;

    TrackLayer get(long ssrc) {
        for (int i = 0; i < size; i++) {
            if (ssrcs[i] == ssrc) {
                return tracks[i];
            }
        }
        return null;
    }

    void put(long ssrc, TrackLayer track) {
        for (int i = 0; i < size; i++) {
            if (ssrcs[i] == ssrc) {
                tracks[i] = track;
                return;
            }
        }
        if (size == ssrcs.length) {
            ssrcs = Arrays.copyOf(ssrcs, size * 2);
            tracks = Arrays.copyOf(tracks, size * 2);
        }
        ssrcs[size] = ssrc;
        tracks[size] = track;
        size++;
    }

    void removeIf(Predicate<TrackLayer> condition) {
        int kept = 0;
        for (int i = 0; i < size; i++) {
            if (!condition.test(tracks[i])) {
                ssrcs[kept] = ssrcs[i];
                tracks[kept] = tracks[i];
                kept++;
            }
        }
        Arrays.fill(tracks, kept, size, null);
        size = kept;
    }
}
