package dev.convene.store;

import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

/**
 * Which SFU node hosts each meeting. An entry lives for the implementation's time to live
 * (by default {@link #DEFAULT_TTL}) unless {@linkplain #refresh refreshed}, so a meeting that
 * ends without cleanup does not pin a node forever. Implementations are thread-safe and every
 * operation is atomic, however many signaling nodes race.
 */
public interface MeetingPlacement {

    Duration DEFAULT_TTL = Duration.ofHours(2);

    /** The meeting's SFU node, if it has one. */
    Optional<String> sfuFor(UUID meetingId);

    /**
     * Places the meeting on {@code nodeId} unless it is placed already.
     *
     * @return the node the meeting is on after the call: {@code nodeId} if this call placed
     *     it, otherwise the node an earlier (or concurrent, winning) call chose
     */
    String assignIfAbsent(UUID meetingId, String nodeId);

    /**
     * Moves the meeting to {@code newNode} if it is on {@code expectedNode} now (failover,
     * drain). Of several signaling nodes moving the same meeting, exactly one succeeds; the
     * others read the winner with {@link #sfuFor}. Resets the time to live.
     *
     * @return true if this call moved the meeting
     */
    boolean compareAndSet(UUID meetingId, String expectedNode, String newNode);

    /**
     * Restarts the entry's time to live; called while the meeting lives.
     *
     * @return true if the meeting was placed
     */
    boolean refresh(UUID meetingId);

    /**
     * Forgets the meeting's placement (the meeting ended).
     *
     * @return true if it was placed
     */
    boolean clear(UUID meetingId);
}
