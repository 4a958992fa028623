package dev.convene.sfu.room;

import java.util.Arrays;
import java.util.function.Predicate;

/**
 * SSRCs and what they stand for: the publisher's media and RTX SSRCs and the track layers they
 * carry; a subscriber's output SSRCs and their forwarders. A participant has a handful of
 * streams, so a linear scan of a primitive array beats a map and, unlike {@code Map<Long, …>},
 * boxes nothing on the packet path. Confined to the media loop.
 */
final class SsrcTable<T> {

    private long[] ssrcs = new long[4];
    private Object[] values = new Object[4];
    private int size;

    @SuppressWarnings("unchecked")
    T get(long ssrc) {
        for (int i = 0; i < size; i++) {
            if (ssrcs[i] == ssrc) {
                return (T) values[i];
            }
        }
        return null;
    }

    boolean containsKey(long ssrc) {
        return get(ssrc) != null;
    }

    void put(long ssrc, T value) {
        for (int i = 0; i < size; i++) {
            if (ssrcs[i] == ssrc) {
                values[i] = value;
                return;
            }
        }
        if (size == ssrcs.length) {
            ssrcs = Arrays.copyOf(ssrcs, size * 2);
            values = Arrays.copyOf(values, size * 2);
        }
        ssrcs[size] = ssrc;
        values[size] = value;
        size++;
    }

    void remove(long ssrc) {
        removeWhere(true, ssrc, v -> true);
    }

    void removeIf(Predicate<? super T> condition) {
        removeWhere(false, 0, condition);
    }

    /** Removes the values matching {@code condition}, of {@code ssrc} only if {@code oneSsrc}; keeps the order. */
    @SuppressWarnings("unchecked")
    private void removeWhere(boolean oneSsrc, long ssrc, Predicate<? super T> condition) {
        int kept = 0;
        for (int i = 0; i < size; i++) {
            if ((oneSsrc && ssrcs[i] != ssrc) || !condition.test((T) values[i])) {
                ssrcs[kept] = ssrcs[i];
                values[kept] = values[i];
                kept++;
            }
        }
        Arrays.fill(values, kept, size, null);
        size = kept;
    }

    /** Whether a value matches {@code condition}. */
    @SuppressWarnings("unchecked")
    boolean anyMatch(Predicate<? super T> condition) {
        for (int i = 0; i < size; i++) {
            if (condition.test((T) values[i])) {
                return true;
            }
        }
        return false;
    }

    void clear() {
        Arrays.fill(values, 0, size, null);
        size = 0;
    }
}
