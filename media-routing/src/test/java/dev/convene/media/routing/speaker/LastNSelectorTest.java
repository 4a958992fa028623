package dev.convene.media.routing.speaker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LastNSelectorTest {

    private static final long NEVER = Long.MIN_VALUE;

    private static final String[] NAMES = {"early", "late", "spokeLongAgo", "spokeJustNow", "pinned", "screen", "absent"};
    private static final long[] LAST_SPOKE = {NEVER, NEVER, 100, 900, NEVER, NEVER, 1_000};
    private static final long[] JOIN_ORDER = {1, 9, 5, 6, 7, 8, 2};
    private static final boolean[] SCREEN = {false, false, false, false, false, true, false};
    private static final boolean[] PINNED = {false, false, false, false, true, false, false};
    /** "absent" spoke last but the subscriber does not receive its video (no leg): never chosen. */
    private static final boolean[] CANDIDATE = {true, true, true, true, true, true, false};

    private static int[] speakingOrder() {
        int[] order = {6, 5, 4, 3, 2, 1, 0};
        LastNSelector.sortBySpeakingOrder(order, order.length, LAST_SPOKE, JOIN_ORDER);
        return order;
    }

    private static List<String> select(int n) {
        int[] order = speakingOrder();
        boolean[] chosen = new boolean[order.length];
        java.util.Arrays.fill(chosen, true); // left over from a previous pass: must be cleared
        int taken = LastNSelector.select(order, order.length, CANDIDATE, SCREEN, PINNED, n, chosen);
        List<String> names = new ArrayList<>();
        // In rank order, as the old list-returning selector gave them.
        for (String expected : List.of("screen", "pinned", "spokeJustNow", "spokeLongAgo", "early", "late", "absent")) {
            int i = List.of(NAMES).indexOf(expected);
            if (chosen[i]) {
                names.add(expected);
            }
        }
        assertThat(names).hasSize(taken);
        return names;
    }

    @Test
    void speakingOrderIsLatestSpeakerFirstThenJoinOrder() {
        int[] order = speakingOrder();
        List<String> names = new ArrayList<>();
        for (int i : order) {
            names.add(NAMES[i]);
        }
        assertThat(names).containsExactly("absent", "spokeJustNow", "spokeLongAgo", "early", "pinned", "screen", "late");
    }

    @Test
    void screenShareThenPinnedThenSpeakingOrderThenJoinOrder() {
        assertThat(select(10)).containsExactly("screen", "pinned", "spokeJustNow", "spokeLongAgo", "early", "late");
        assertThat(select(3)).containsExactly("screen", "pinned", "spokeJustNow");
        assertThat(select(0)).isEmpty();
    }

    @Test
    void aPinnedScreenShareComesBeforeAnotherScreenShare() {
        int[] order = {0, 1, 2};
        LastNSelector.sortBySpeakingOrder(order, 3, new long[] {500, 100, NEVER}, new long[] {0, 1, 2});
        boolean[] chosen = new boolean[3];
        LastNSelector.select(order, 3, new boolean[] {true, true, true}, new boolean[] {true, true, false},
                new boolean[] {false, true, false}, 1, chosen);
        assertThat(chosen).containsExactly(false, true, false);
    }
}
