package dev.convene.media.routing.speaker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The detector on a fake clock: each participant sends a packet every 20 ms with the level the
 * test sets, and the detector updates every 100 ms, as the SFU's room tick does.
 */
class DominantSpeakerDetectorTest {

    private static final long MS = 1_000_000L;
    private static final int LOUD = 20;     // -20 dBov
    private static final int QUIET = 127;   // silence
    private static final int NOISE = 70;    // a microphone's noise floor

    private final DominantSpeakerDetector<String> detector = new DominantSpeakerDetector<>();
    private final Map<String, SpeakerActivity> activity = new HashMap<>();
    private final Map<String, Integer> level = new HashMap<>();
    private long now = 5_000 * MS;

    @BeforeEach
    void room() {
        for (String p : List.of("ann", "bob", "cid", "dee")) {
            activity.put(p, detector.add(p));
            level.put(p, QUIET);
        }
    }

    /** Runs the room for {@code ms}; returns when the list first had {@code first} at its head, or -1. */
    private long run(long ms, String first) {
        long firstAt = -1;
        for (long t = 0; t < ms; t += 20) {
            now += 20 * MS;
            for (var e : activity.entrySet()) {
                e.getValue().onLevel(level.get(e.getKey()), now);
            }
            if (t % 100 == 80) {
                detector.update(now);
                if (firstAt < 0 && !detector.speakers().isEmpty() && detector.speakers().getFirst().equals(first)) {
                    firstAt = t + 20;
                }
            }
        }
        return firstAt;
    }

    @Test
    void silenceAndNoiseFloorAreNobodySpeaking() {
        level.put("cid", NOISE);
        run(3000, null);
        assertThat(detector.speakers()).isEmpty();
        assertThat(detector.dominant()).isNull();
    }

    @Test
    void aLoudParticipantLeadsWithinOneSecond() {
        run(1000, null);
        level.put("bob", LOUD);
        long at = run(1500, "bob");
        assertThat(at).isBetween(0L, 1000L);
        assertThat(detector.speakers()).containsExactly("bob");
    }

    @Test
    void followsAChangeOfSpeakerWithinOneSecondAndDropsTheSilentOne() {
        level.put("ann", LOUD);
        run(2000, null);
        assertThat(detector.dominant()).isEqualTo("ann");
        level.put("ann", QUIET);
        level.put("dee", LOUD);
        long at = run(1000, "dee");
        assertThat(at).isBetween(0L, 1000L);
        assertThat(detector.speakers()).containsExactly("dee");
    }

    @Test
    void aBriefInterruptionDoesNotTakeOver() {
        level.put("ann", 40); // speaking, but softer than the interruption
        run(2000, null);
        level.put("bob", LOUD);
        run(100, null); // one 100 ms shout
        level.put("bob", QUIET);
        run(1500, null);
        assertThat(detector.dominant()).isEqualTo("ann");
    }

    @Test
    void twoSpeakersKeepTheDominantOneFirstAndListTheOther() {
        level.put("ann", LOUD);
        run(1000, null);
        level.put("cid", LOUD);
        run(2000, null);
        // Equally loud: no margin, so the one who spoke first stays dominant (hysteresis).
        assertThat(detector.speakers()).containsExactly("ann", "cid");
        assertThat(detector.lastSpokeNanos("cid")).isEqualTo(detector.lastSpokeNanos("ann"));
        assertThat(detector.lastSpokeNanos("bob")).isEqualTo(Long.MIN_VALUE);
    }

    @Test
    void aClearlyLouderChallengerTakesOverAfterItLeadsForTwoUpdates() {
        level.put("ann", 45);
        run(2000, null);
        level.put("bob", 5);
        long at = run(1000, "bob");
        assertThat(at).isBetween(200L, 1000L);
        assertThat(detector.speakers()).containsExactly("bob", "ann");
    }

    @Test
    void removedStreamsLeaveTheList() {
        level.put("ann", LOUD);
        run(1000, null);
        detector.remove("ann");
        activity.remove("ann");
        assertThat(detector.update(now)).isTrue();
        assertThat(detector.speakers()).isEmpty();
    }

    @Test
    void levelsAreRecordedWithoutAllocating() {
        SpeakerActivity a = new SpeakerActivity();
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        for (int i = 0; i < 20_000; i++) {
            a.onLevel(i % 128, i * 20 * MS);
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 20_000; i < 40_000; i++) {
            a.onLevel(i % 128, i * 20 * MS);
        }
        assertThat(threads.getCurrentThreadAllocatedBytes() - before).isZero();
    }

    @Test
    void aGapInTimeIsSilence() {
        SpeakerActivity a = new SpeakerActivity();
        for (int i = 0; i < 50; i++) {
            a.onLevel(0, i * 20 * MS);
        }
        assertThat(a.score(5, 49 * 20 * MS)).isEqualTo(SpeakerActivity.ACTIVE_LEVEL);
        assertThat(a.score(5, 60_000 * MS)).isZero();
        a.onLevel(-1, 60_000 * MS); // no extension on the packet
        assertThat(a.score(1, 60_000 * MS)).isZero();
    }
}
