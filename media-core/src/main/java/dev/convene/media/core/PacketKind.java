package dev.convene.media.core;

/** What arrived on the shared UDP port, as told by {@link PacketClassifier}. */
public enum PacketKind {
    STUN,
    DTLS,
    RTP,
    RTCP,
    UNKNOWN
}
