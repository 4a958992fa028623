package dev.convene.media.routing;

/** What {@link RtpStreamRewriter#rewrite} decided for one packet. Only {@link #FORWARD} is sent. */
public enum RewriteResult {
    /** Rewritten in place; send it. */
    FORWARD,
    /** From a source that is neither the current one nor the one being switched to (or paused). */
    DROP_NOT_SELECTED,
    /** From the source being switched to, before its first key frame: ask it for one (PLI). */
    DROP_WAITING_FOR_KEYFRAME,
    /** From the current source but older than its switch point or the reorder window. */
    DROP_TOO_OLD,
    /** Its payload type is not negotiated with the subscriber. */
    DROP_UNKNOWN_PAYLOAD_TYPE,
    /** An SVC layer above what this subscriber gets. */
    DROP_LAYER;

    public boolean isForward() {
        return this == FORWARD;
    }
}
