package dev.convene.signaling.moderation;

import dev.convene.signaling.SignalingMetrics;
import dev.convene.signaling.auth.AccessClaims;
import dev.convene.signaling.http.ApiProblem;
import dev.convene.signaling.http.ProblemCode;
import dev.convene.store.Meeting;
import dev.convene.store.MeetingStore;
import dev.convene.store.RateLimiter;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a meeting's hosts decided about who may take a seat, checked at {@code GET /join} before
 * any seat is taken: a removed user, a locked meeting and a wrong password are refused with 403
 * and their documented codes. Hosts pass every check, so a host can always get back in.
 */
public final class JoinGate {

    private static final Logger log = LoggerFactory.getLogger(JoinGate.class);

    /** The request header that carries a meeting's password (never the URL, which ends up in logs). */
    public static final String PASSWORD_HEADER = "Convene-Meeting-Password";
    /** Attempts at a password meeting, right or wrong: a guesser gets a handful a minute, a person needs one. */
    static final RateLimiter.Limit ATTEMPTS_PER_ADDRESS = RateLimiter.Limit.of(10, Duration.ofMinutes(1));
    static final RateLimiter.Limit ATTEMPTS_PER_USER = RateLimiter.Limit.of(5, Duration.ofMinutes(1));

    private final MeetingStore meetings;
    private final RateLimiter limiter;
    private final SignalingMetrics metrics;

    public JoinGate(MeetingStore meetings, RateLimiter limiter, SignalingMetrics metrics) {
        this.meetings = meetings;
        this.limiter = limiter;
        this.metrics = metrics;
    }

    /** A host of the meeting: its stored host, or the holder of a {@code host} grant the meeting allows. */
    public static boolean isHost(Meeting meeting, AccessClaims user) {
        return meeting.hostId().equals(user.userId()) || (user.hostGrant() && user.allows(meeting.id()));
    }

    /**
     * Returns if the user may take a seat in the meeting; throws the refusal otherwise.
     *
     * @param password the {@link #PASSWORD_HEADER} value, or null
     */
    public void check(Meeting meeting, AccessClaims user, String address, String password) {
        if (isHost(meeting, user)) {
            return;
        }
        if (meetings.isRemoved(meeting.id(), user.userId())) {
            refuse(meeting, user, ProblemCode.REMOVED_FROM_MEETING, "A host removed you from this meeting");
        }
        if (meeting.rules().locked()) {
            refuse(meeting, user, ProblemCode.MEETING_LOCKED, "The meeting is locked: a host lets nobody new in");
        }
        if (meeting.rules().hasPassword()) {
            for (RateLimiter.Decision d : new RateLimiter.Decision[] {
                    limiter.tryAcquire("password:" + meeting.id() + ":addr:" + address, ATTEMPTS_PER_ADDRESS),
                    limiter.tryAcquire("password:" + meeting.id() + ":user:" + user.userId(), ATTEMPTS_PER_USER)}) {
                if (!d.allowed()) {
                    metrics.rateLimited();
                    log.info("event=join_rejected meeting_id={} user_id={} address={} reason=password_attempts",
                            meeting.id(), user.userId(), address);
                    throw ApiProblem.rateLimited("Too many password attempts for this meeting; try again in "
                            + d.retryAfterSeconds() + " s", d.retryAfterSeconds());
                }
            }
            if (password == null || password.length() > MeetingPasswords.MAX_LENGTH
                    || !MeetingPasswords.matches(password, meeting.rules().passwordHash())) {
                refuse(meeting, user, ProblemCode.WRONG_PASSWORD, "The meeting needs its password in the "
                        + PASSWORD_HEADER + " header, and that was not it");
            }
        }
    }

    private static void refuse(Meeting meeting, AccessClaims user, ProblemCode code, String detail) {
        log.info("event=join_rejected meeting_id={} user_id={} reason={}", meeting.id(), user.userId(), code.wire());
        throw ApiProblem.forbidden(code, detail);
    }
}
