package dev.convene.signaling.protocol;

/** The stable {@code code}s of {@code error} frames (docs/signaling.md). */
public enum ErrorCode {
    MALFORMED_MESSAGE("malformed_message"),
    UNKNOWN_TYPE("unknown_type"),
    UNSUPPORTED_VERSION("unsupported_version"),
    FRAME_TOO_LARGE("frame_too_large"),
    NOT_JOINED("not_joined"),
    ALREADY_JOINED("already_joined"),
    BAD_SDP("bad_sdp"),
    UNKNOWN_TRACK("unknown_track"),
    RATE_LIMITED("rate_limited"),
    SFU_UNAVAILABLE("sfu_unavailable"),
    MUTED_BY_HOST("muted_by_host"),
    REMOVED_FROM_MEETING("removed_from_meeting"),
    MEETING_ENDED("meeting_ended"),
    /** A resume token that is forged, expired, of another kind, or not for this socket's participant. */
    INVALID_RESUME_TOKEN("invalid_resume_token"),
    /** The resume came too late: the grace period ended and the participant has left. */
    RESUME_EXPIRED("resume_expired"),
    /**
     * The answer names a subscriber offer that is not the outstanding one (an offer of a session
     * a {@code migrate} replaced, or one already answered): it was dropped; nothing to do.
     */
    STALE_ANSWER("stale_answer"),
    INTERNAL_ERROR("internal_error");

    private final String wire;

    ErrorCode(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }
}
