package dev.convene.sfu;

import java.util.List;

/** The SFU's answer to a publisher offer and the tracks the offer added or removed. */
public record PublishResult(String sdpAnswer, List<TrackInfo> added, List<TrackInfo> removed) {}
