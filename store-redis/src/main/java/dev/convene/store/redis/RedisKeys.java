package dev.convene.store.redis;

import java.util.UUID;

/**
 * Every Redis key and channel Convene uses, in one place. Keys of one meeting carry the hash
 * tag {@code {<meetingId>}}, so on Redis Cluster they live in one slot and a script may touch
 * several of them. See docs/scaling.md ("Redis") and docs/adr/0005.
 */
public final class RedisKeys {

    /** Sorted set of SFU node ids, scored by last heartbeat (epoch milliseconds). */
    public static final String SFU_NODES = "sfu:nodes";

    /**
     * String: heartbeat time (epoch ms) of the first SFU heard from since Redis last started empty;
     * no TTL. Tells placement how long the registry has been filling (ADR 0020).
     */
    public static final String SFU_REGISTRY_SINCE = "sfu:registry:since";

    /**
     * Sorted set of every participant's resume lease, across meetings: the sweepers of all nodes
     * read one key. One key keeps the claim a single-slot script; at fleet scale it would be split
     * into hash-tagged buckets.
     */
    public static final String RESUME_LEASES = "resume:leases";

    private RedisKeys() {}

    /** Set of participant ids holding a seat. */
    public static String seats(UUID meetingId) {
        return "seats:{" + meetingId + "}";
    }

    /**
     * Hash of the meeting's unclaimed seats: participant id → its holders, one per line. A seat
     * is unclaimed while it is both here and in {@link #seats}; same hash tag, so one script
     * may touch both.
     */
    public static String unclaimedSeats(UUID meetingId) {
        return "seats:{" + meetingId + "}:unclaimed";
    }

    /** String: the node id of the meeting's SFU; expires unless refreshed. */
    public static String meetingSfu(UUID meetingId) {
        return "meeting:sfu:{" + meetingId + "}";
    }

    /** Set of participant ids that touched presence recently (pruned lazily). */
    public static String presence(UUID meetingId) {
        return "presence:{" + meetingId + "}";
    }

    /** String with a time to live: the participant's heartbeat. */
    public static String presenceHeartbeat(UUID meetingId, String participantId) {
        return "presence:{" + meetingId + "}:" + participantId;
    }

    /** Pub/Sub channel of the meeting's events. */
    public static String meetingEvents(UUID meetingId) {
        return "meeting.events.{" + meetingId + "}";
    }

    /** Hash of one SFU node's registration and load. */
    public static String sfuNode(String nodeId) {
        return "sfu:node:" + nodeId;
    }

    /** Hash holding one token bucket. */
    public static String rateLimit(String key) {
        return "ratelimit:" + key;
    }

    /** The meeting id of a {@link #meetingEvents} channel, or null if the channel is not one. */
    static UUID meetingOfEventsChannel(String channel) {
        String prefix = "meeting.events.{";
        if (!channel.startsWith(prefix) || !channel.endsWith("}")) {
            return null;
        }
        try {
            return UUID.fromString(channel.substring(prefix.length(), channel.length() - 1));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
