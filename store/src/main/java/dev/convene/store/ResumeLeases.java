package dev.convene.store;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * The lease under which a joined participant stays in its meeting while it may resume: held and
 * refreshed by the signaling node that has the participant's socket, left to run out when the
 * socket is gone, taken over by the node a {@code resume} reaches, and claimed by a sweeper on
 * any node once it has run out. Every operation on one lease is atomic against the others, so of
 * a resume and a sweeper racing for the same participant exactly one wins, and of many sweepers
 * exactly one claims each lease: the one that frees the seat and announces the leave.
 * Implementations are thread-safe; expiry is judged on the store's own clock.
 */
public interface ResumeLeases {

    /** A lease that ran out, claimed by the caller of {@link #claimExpired}. */
    record Expired(UUID meetingId, String participantId) {}

    /** Creates or refreshes the participant's lease to end {@code ttl} from now. */
    void hold(UUID meetingId, String participantId, Duration ttl);

    /**
     * Refreshes the lease only if it exists and has not run out: the step a resume takes.
     *
     * @return false if the lease ran out or was claimed or released (the participant has left)
     */
    boolean takeOver(UUID meetingId, String participantId, Duration ttl);

    /**
     * Removes the lease (the participant left on purpose).
     *
     * @return true if this call removed it, false if nothing was there (a sweeper was first)
     */
    boolean release(UUID meetingId, String participantId);

    /** Removes and returns up to {@code max} leases that have run out; no other caller gets the same one. */
    List<Expired> claimExpired(int max);
}
