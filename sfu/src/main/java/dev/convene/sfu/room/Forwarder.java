package dev.convene.sfu.room;

import dev.convene.media.routing.OutboundStream;
import dev.convene.media.routing.rtcp.SendStatistics;
import dev.convene.media.routing.simulcast.LayerSelector;

/**
 * Carries one published track to one subscriber (on the m-line of the {@link SubscriberSlot}
 * holding it): the leg's stages, the SSRCs the subscriber sees, and the choice of which of the
 * track's layers it gets.
 *
 * @param rtxSsrc        the SSRC of the leg's retransmissions, 0 when it has none
 * @param sendStatistics the leg's RTCP side: its SR counts and what the subscriber's reports say
 * @param selector       the subscriber's wishes for the track and the layer decided from them
 * @param plan           what the subscriber's last allocation pass decided for the leg
 */
record Forwarder(PublishedTrack track, Participant subscriber, long outputSsrc, long rtxSsrc, OutboundStream leg,
        SendStatistics sendStatistics, LayerSelector selector, Plan plan) {

    /**
     * The leg's inputs from its subscriber's allocation pass, kept on the leg rather than in maps
     * keyed by it, so that a pass neither boxes nor allocates entries (ADR 0027).
     */
    static final class Plan {
        /** Within the subscriber's last-N: its video is received. */
        boolean visible;
        /** This leg's share of the downlink estimate (ADR 0021); unlimited while there is none. */
        long budgetBps = dev.convene.media.routing.simulcast.Allocator.UNLIMITED;
    }

    /** The layer whose packets the leg forwards now, or null (none yet, or paused). */
    TrackLayer forwardedLayer() {
        long source = leg.rewriter().currentSource();
        return source < 0 ? null : track.layerBySsrc(source);
    }
}
