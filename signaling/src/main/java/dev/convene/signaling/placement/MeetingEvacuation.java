package dev.convene.signaling.placement;

import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves a meeting off an SFU node that is draining (stopping on purpose), make-before-break: the
 * meeting is placed on another node by compare-and-set, its participants are told to {@code migrate}
 * and rebuild their media there, and only then does the old node let them go (ADR 0020). The
 * SFU's side of a drain is its registry entry's draining flag; every signaling node sees the flag
 * and asks its evacuation, for each meeting it holds joined sockets of on that node, about every
 * second until the meeting has left the node. So an implementation must be idempotent and cheap
 * when the meeting has already moved, and only one caller may win the move.
 */
@FunctionalInterface
public interface MeetingEvacuation {

    /**
     * Moves (or keeps moving) {@code meetingId} off {@code drainingNode}. Called from the node's
     * timer; must not block for long.
     */
    void evacuate(UUID meetingId, String drainingNode);

    /**
     * No evacuation yet: the meeting stays on the draining node until its participants leave or the
     * node's drain timeout ends it. Logs once per call so the gap is visible.
     */
    MeetingEvacuation NONE = new MeetingEvacuation() {
        private final Logger log = LoggerFactory.getLogger(MeetingEvacuation.class);

        @Override
        public void evacuate(UUID meetingId, String drainingNode) {
            log.info("event=evacuation_unavailable meeting_id={} sfu_node_id={} note=\"needs migrate; the meeting stays "
                    + "until its participants leave or the drain timeout\"", meetingId, drainingNode);
        }
    };
}
