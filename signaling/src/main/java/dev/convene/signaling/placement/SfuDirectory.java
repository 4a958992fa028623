package dev.convene.signaling.placement;

import dev.convene.sfu.SfuNode;
import java.time.Instant;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Where a meeting's media goes: picks the SFU node for a joining participant and hands out the
 * node to join them on. The all-in-one role has one local node; a fleet places by the meeting's
 * current node and the SFU registry.
 */
public interface SfuDirectory {

    /** The chosen node for a meeting's next participant. */
    record Placement(String nodeId, String region) {}

    /**
     * The meeting's current SFU, or else the least-loaded healthy one (in {@code regionHint}
     * when it has one), which then becomes the meeting's SFU.
     *
     * @throws NoSfuAvailableException when no healthy node can take the meeting
     */
    Placement place(UUID meetingId, Optional<String> regionHint);

    /**
     * As {@link #place(UUID, Optional)} for a meeting created at {@code meetingCreatedAt}: a
     * meeting older than what the shared store remembers may have participants on a node that has
     * not reported yet, and is not placed anew until the fleet has had time to (ADR 0020).
     */
    default Placement place(UUID meetingId, Instant meetingCreatedAt, Optional<String> regionHint) {
        return place(meetingId, regionHint);
    }

    /**
     * Keeps a live meeting on the node its participants are on: renews the meeting → node mapping,
     * or writes it again if the shared store lost it (so a later join does not split the meeting
     * over two SFUs). Called periodically for each meeting with participants on this node.
     */
    void keepPlacement(UUID meetingId, String nodeId);

    /**
     * Whether the node says it is draining (taking no new meetings; its meetings should move off).
     * Unknown nodes and an unreachable registry count as not draining: evacuation is an
     * optimisation of a planned stop, never a reason to move meetings on doubt.
     */
    default boolean isDraining(String nodeId) {
        return false;
    }

    /**
     * The node to join a participant on, at the address the registry gives for it now (a node
     * restarted under the same id elsewhere is reached at its new address at once).
     *
     * @throws NoSfuAvailableException when the node is unknown or gone
     */
    SfuNode node(String nodeId);

    /**
     * The node to join a participant of the meeting on, whose join token named {@code claimedNode}:
     * the meeting's node now if it moved since (a failover), else the claimed node (ADR 0029).
     */
    default String nodeForJoin(UUID meetingId, String claimedNode) {
        return claimedNode;
    }

    /** Whether this signaling node reaches the node's control surface now (ADR 0019). */
    default boolean reachable(String nodeId) {
        return true;
    }

    /** Whether this signaling node's latest attempt to reach the node failed outright (its process is gone). */
    default boolean refusing(String nodeId) {
        return false;
    }

    /** The node was found dead here: no meeting or join is placed on it until it heartbeats again. */
    default void markDead(String nodeId) {
        // One node: nowhere else to go.
    }

    /**
     * Moves a meeting off a dead node by compare-and-set; of several signaling nodes moving it at
     * once one picks the new node and the others follow.
     *
     * @return the node the meeting is on afterwards, or empty if no healthy node can take it
     */
    default Optional<String> moveFrom(UUID meetingId, String deadNode) {
        return Optional.empty();
    }

    /**
     * Whether the node told the registry it was alive within {@code within} (the registry is a
     * second witness beside the control connection, so one slow pong does not kill a node).
     */
    default boolean heardFromWithin(String nodeId, java.time.Duration within) {
        return true;
    }

    /**
     * Opens control connections to every healthy node that has none yet, so a meeting moved
     * there after a failure does not wait for a TLS handshake. Called by the node's timer.
     */
    default void connectAll() {
        // One node: connected from the start.
    }

    /**
     * The media address ({@code host:port} of its first candidate) of every node the registry
     * calls healthy, suspects included, for the media probe (ADR 0030). Read by the node's
     * preconnect timer, not per probe.
     */
    default Map<String, InetSocketAddress> mediaAddresses() {
        return Map.of();
    }

    /**
     * The node's media port at {@code address} stopped answering this signaling node's probes
     * ({@code null}: it answers again): while it does not, nothing is placed on it, however well
     * it heartbeats. A node registered again at another media address is a new process and is not
     * held to the old one's silence.
     */
    default void markMediaUnreachable(String nodeId, InetSocketAddress address) {
        // One node: nowhere else to go.
    }

    /** The node the meeting is placed on now, if any; a read, nothing is placed. */
    default Optional<String> placedOn(UUID meetingId) {
        return Optional.empty();
    }
}
