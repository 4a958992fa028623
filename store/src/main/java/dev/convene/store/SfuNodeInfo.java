package dev.convene.store;

import java.time.Instant;
import java.util.Collection;
import java.util.Collections;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * What an SFU node tells the registry with every heartbeat: where to reach it, where it is,
 * how busy it is, and when it said so.
 *
 * @param nodeId         stable id of the node
 * @param controlAddress where signaling nodes reach its control endpoint (URL or host:port)
 * @param mediaAddress   where clients send media (host:port of its UDP socket)
 * @param region         placement region, e.g. {@code eu-west}
 * @param participants   participants with media sessions on the node now
 * @param streams        forwarded streams on the node now
 * @param cpu            CPU in use, as a fraction of the node's capacity (0.0–1.0)
 * @param draining       true while the node takes no new meetings
 * @param lastHeartbeat  when the node sent this heartbeat (the node's clock; nodes run NTP)
 * @param meetings       ids of the meetings with participants on the node now: the fleet's own
 *                       word on placement, which outlives a Redis that lost its data (ADR 0020)
 */
public record SfuNodeInfo(
        String nodeId,
        String controlAddress,
        String mediaAddress,
        String region,
        int participants,
        int streams,
        double cpu,
        boolean draining,
        Instant lastHeartbeat,
        Set<String> meetings) {

    /** A node that reports no meetings. */
    public SfuNodeInfo(String nodeId, String controlAddress, String mediaAddress, String region, int participants,
            int streams, double cpu, boolean draining, Instant lastHeartbeat) {
        this(nodeId, controlAddress, mediaAddress, region, participants, streams, cpu, draining, lastHeartbeat, Set.of());
    }

    public SfuNodeInfo {
        // Sorted, so that equal reports are equal records and serialize the same.
        meetings = meetings == null ? Set.of() : Collections.unmodifiableSortedSet(new TreeSet<>(meetings));
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(controlAddress, "controlAddress");
        Objects.requireNonNull(mediaAddress, "mediaAddress");
        Objects.requireNonNull(region, "region");
        Objects.requireNonNull(lastHeartbeat, "lastHeartbeat");
        if (nodeId.isBlank()) {
            throw new IllegalArgumentException("nodeId must not be blank");
        }
        if (participants < 0 || streams < 0) {
            throw new IllegalArgumentException("participants and streams must not be negative");
        }
        if (!(cpu >= 0.0) || Double.isInfinite(cpu)) {
            throw new IllegalArgumentException("cpu must be a finite non-negative fraction, was " + cpu);
        }
    }

    /** The same node, heard from again at {@code at}. */
    public SfuNodeInfo withHeartbeat(Instant at) {
        return new SfuNodeInfo(nodeId, controlAddress, mediaAddress, region, participants, streams, cpu, draining, at, meetings);
    }

    /** The same node with new load figures. */
    public SfuNodeInfo withLoad(int newParticipants, int newStreams, double newCpu) {
        return new SfuNodeInfo(nodeId, controlAddress, mediaAddress, region, newParticipants, newStreams, newCpu, draining,
                lastHeartbeat, meetings);
    }

    public SfuNodeInfo withDraining(boolean newDraining) {
        return new SfuNodeInfo(nodeId, controlAddress, mediaAddress, region, participants, streams, cpu, newDraining,
                lastHeartbeat, meetings);
    }

    /** The same node, reporting {@code hosted} as its meetings. */
    public SfuNodeInfo withMeetings(Collection<String> hosted) {
        return new SfuNodeInfo(nodeId, controlAddress, mediaAddress, region, participants, streams, cpu, draining,
                lastHeartbeat, Set.copyOf(hosted));
    }

    /** Whether the node said it has participants of the meeting. */
    public boolean hosts(UUID meetingId) {
        return meetings.contains(meetingId.toString());
    }
}
