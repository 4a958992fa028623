package dev.convene.sfu.negotiation;

import java.util.Set;

/** A client's answer to a subscriber offer: its transport parameters and the m-lines it rejected. */
public record SubscriberAnswer(TransportParams transport, Set<String> rejectedMids) {}
