package dev.convene.sfu.negotiation;

/** A client's answer to a subscriber offer, reduced to its transport parameters. */
public record SubscriberAnswer(TransportParams transport) {}
