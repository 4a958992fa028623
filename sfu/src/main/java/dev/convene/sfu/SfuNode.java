package dev.convene.sfu;

/**
 * The control surface of one SFU node, as the signaling layer sees it. In the all-in-one role
 * the signaling layer holds the local node directly; in a fleet the same interface is served
 * over the internal control channel.
 */
public interface SfuNode {

    String nodeId();

    /**
     * Adds a participant to a meeting's room on this node, creating the room on first use.
     * Events for the participant (subscriber offers, transport state) arrive on {@code listener}.
     */
    ParticipantSession join(String meetingId, String participantId, ParticipantListener listener);

    /**
     * Takes over a live session by its {@link ParticipantSession#sessionId}, detached or still
     * held by another caller (who hears {@link ParticipantListener#onSessionMoved}): its
     * transports, tracks and subscriptions carry on, and its events go to {@code listener} from
     * now on.
     *
     * @throws SessionGoneException if no such session of that participant lives on this node
     */
    default ParticipantSession attach(String sessionId, String participantId, ParticipantListener listener) {
        throw new SessionGoneException("node " + nodeId() + " keeps no sessions for re-attachment");
    }

    /**
     * Whether the node's control surface answers now. A remote node is unreachable from the
     * moment its control connection is lost until a new one is greeted; a local node always is.
     */
    default boolean reachable() {
        return true;
    }

    /**
     * Whether the latest attempt to reach the node's control surface failed outright (refused or
     * reset, not merely slow): its process is most likely gone. A local node never refuses.
     */
    default boolean refusing() {
        return false;
    }
}
