package dev.convene.signaling.placement;

import dev.convene.store.SfuNodeInfo;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * SFU nodes this signaling node has found dead (control connection lost and not back), kept
 * out of placement before the registry notices (ADR 0019). A node is suspect until it
 * heartbeats again after it was marked: a restarted node, or one that was only stopped for a
 * while, is used again as soon as the registry hears from it.
 */
public final class SfuSuspects {

    private final Map<String, Instant> markedAt = new ConcurrentHashMap<>();
    /** Nodes whose media port does not answer this signaling node's probes (ADR 0030): heartbeats do not clear them. */
    private final java.util.Set<String> mediaUnreachable = ConcurrentHashMap.newKeySet();

    public void markMediaUnreachable(String nodeId, boolean unreachable) {
        if (unreachable) {
            mediaUnreachable.add(nodeId);
        } else {
            mediaUnreachable.remove(nodeId);
        }
    }

    public void markDead(String nodeId, Instant at) {
        markedAt.merge(nodeId, at, (a, b) -> a.isAfter(b) ? a : b);
    }

    /** Whether {@code node}, as the registry has it, is still suspect. */
    public boolean isSuspect(SfuNodeInfo node) {
        if (mediaUnreachable.contains(node.nodeId())) {
            return true;
        }
        Instant at = markedAt.get(node.nodeId());
        if (at == null) {
            return false;
        }
        if (node.lastHeartbeat().isAfter(at)) {
            markedAt.remove(node.nodeId(), at);
            return false;
        }
        return true;
    }

    public boolean isSuspect(String nodeId) {
        return markedAt.containsKey(nodeId) || mediaUnreachable.contains(nodeId);
    }
}
