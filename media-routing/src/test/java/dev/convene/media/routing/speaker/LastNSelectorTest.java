package dev.convene.media.routing.speaker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class LastNSelectorTest {

    private static final long NEVER = Long.MIN_VALUE;

    @Test
    void screenShareThenPinnedThenSpeakingOrderThenJoinOrder() {
        List<VideoCandidate<String>> all = List.of(
                new VideoCandidate<>("early", false, false, NEVER, 1),
                new VideoCandidate<>("late", false, false, NEVER, 9),
                new VideoCandidate<>("spokeLongAgo", false, false, 100, 5),
                new VideoCandidate<>("spokeJustNow", false, false, 900, 6),
                new VideoCandidate<>("pinned", false, true, NEVER, 7),
                new VideoCandidate<>("screen", true, false, NEVER, 8));
        assertThat(LastNSelector.select(all, 10))
                .containsExactly("screen", "pinned", "spokeJustNow", "spokeLongAgo", "early", "late");
        assertThat(LastNSelector.select(all, 3)).containsExactly("screen", "pinned", "spokeJustNow");
        assertThat(LastNSelector.select(all, 0)).isEmpty();
    }
}
