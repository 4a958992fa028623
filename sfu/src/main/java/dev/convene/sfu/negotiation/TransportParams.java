package dev.convene.sfu.negotiation;

/** The ICE and DTLS parameters of one side of a bundled transport, as SDP states them. */
public record TransportParams(String iceUfrag, String icePwd, String fingerprintAlgorithm, String fingerprint, String setup) {}
