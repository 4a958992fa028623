package dev.convene.media.routing.speaker;

/**
 * Which participants' video one subscriber receives when it may receive at most N: screen
 * shares first, then pinned participants, then by speaking order (who spoke last first), then
 * by join order.
 *
 * <p>Participants are numbered by the caller (a room's members, 0 to count - 1). The speaking
 * order is the same for every subscriber of a room, so the room sorts it once per allocation
 * pass ({@link #sortBySpeakingOrder}); each subscriber then only walks it ({@link #select}):
 * linear per subscriber, and nothing is allocated (ADR 0027). Pure: inputs in, marks out.
 */
public final class LastNSelector {

    private LastNSelector() {}

    /**
     * Sorts {@code order[0..count)}, a permutation of 0 to count - 1, by speaking order: latest
     * {@code lastSpokeNanos} first ({@link Long#MIN_VALUE} for never), then lower {@code joinOrder}.
     * An insertion sort: passed the previous pass's order, which speech barely changes, it is
     * close to linear.
     */
    public static void sortBySpeakingOrder(int[] order, int count, long[] lastSpokeNanos, long[] joinOrder) {
        for (int i = 1; i < count; i++) {
            int moving = order[i];
            int j = i;
            while (j > 0 && speaksBefore(moving, order[j - 1], lastSpokeNanos, joinOrder)) {
                order[j] = order[j - 1];
                j--;
            }
            order[j] = moving;
        }
    }

    private static boolean speaksBefore(int a, int b, long[] lastSpokeNanos, long[] joinOrder) {
        return lastSpokeNanos[a] != lastSpokeNanos[b] ? lastSpokeNanos[a] > lastSpokeNanos[b]
                : joinOrder[a] < joinOrder[b];
    }

    /**
     * Marks in {@code chosen} the first {@code n} candidates: screen shares, then pinned, then the
     * rest, each group in {@code speakingOrder}. Entries of {@code chosen} for non-candidates are
     * cleared.
     *
     * @param speakingOrder every participant 0 to count - 1, as {@link #sortBySpeakingOrder} left them
     * @param candidate     whose video the subscriber could receive
     * @return how many were chosen
     */
    public static int select(int[] speakingOrder, int count, boolean[] candidate, boolean[] screenShare,
            boolean[] pinned, int n, boolean[] chosen) {
        for (int i = 0; i < count; i++) {
            chosen[i] = false;
        }
        int taken = 0;
        // Groups in rank order: screen and pinned, screen, pinned, the rest.
        for (int group = 0; group < 4 && taken < n; group++) {
            boolean wantScreen = group < 2;
            boolean wantPinned = group % 2 == 0;
            for (int k = 0; k < count && taken < n; k++) {
                int i = speakingOrder[k];
                if (candidate[i] && screenShare[i] == wantScreen && pinned[i] == wantPinned) {
                    chosen[i] = true;
                    taken++;
                }
            }
        }
        return taken;
    }
}
