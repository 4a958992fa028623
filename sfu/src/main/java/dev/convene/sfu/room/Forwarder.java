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
 */
record Forwarder(PublishedTrack track, Participant subscriber, long outputSsrc, long rtxSsrc, OutboundStream leg,
        SendStatistics sendStatistics, LayerSelector selector) {

    /** The layer whose packets the leg forwards now, or null (none yet, or paused). */
    TrackLayer forwardedLayer() {
        long source = leg.rewriter().currentSource();
        return source < 0 ? null : track.layerBySsrc(source);
    }
}
