package dev.convene.sfu.negotiation;

/** The SFU's one ICE candidate: its advertised address and media port (UDP, type host). */
public record HostCandidate(String address, int port) {}
