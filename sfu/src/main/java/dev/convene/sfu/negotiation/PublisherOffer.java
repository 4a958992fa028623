package dev.convene.sfu.negotiation;

import java.util.List;

/** A publisher's offer, reduced to what the SFU decides on. */
public record PublisherOffer(TransportParams transport, List<OfferedMedia> media) {}
