package dev.convene.signaling.placement;

import dev.convene.store.SfuNodeInfo;
import java.net.InetSocketAddress;
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
    /**
     * Nodes whose media port does not answer this signaling node's probes (ADR 0030), by the
     * address that was silent: heartbeats do not clear them, a registration at another media
     * address (the node restarted) does.
     */
    private final Map<String, InetSocketAddress> mediaUnreachable = new ConcurrentHashMap<>();

    /** {@code address} of {@code nodeId} stopped answering; {@code null}: the node answers again. */
    public void markMediaUnreachable(String nodeId, InetSocketAddress address) {
        if (address != null) {
            mediaUnreachable.put(nodeId, address);
        } else {
            mediaUnreachable.remove(nodeId);
        }
    }

    public void markDead(String nodeId, Instant at) {
        markedAt.merge(nodeId, at, (a, b) -> a.isAfter(b) ? a : b);
    }

    /** Whether {@code node}, as the registry has it, is still suspect. */
    public boolean isSuspect(SfuNodeInfo node) {
        InetSocketAddress silent = mediaUnreachable.get(node.nodeId());
        if (silent != null) {
            if (silent.equals(mediaAddress(node))) {
                return true;
            }
            mediaUnreachable.remove(node.nodeId(), silent);
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
        return markedAt.containsKey(nodeId) || mediaUnreachable.containsKey(nodeId);
    }

    /** The node's registered media address ({@code host:port}, IPv6 in brackets), or null if unusable. */
    static InetSocketAddress mediaAddress(SfuNodeInfo node) {
        String a = node.mediaAddress();
        int colon = a == null ? -1 : a.lastIndexOf(':');
        if (colon <= 0) {
            return null;
        }
        try {
            String host = a.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            return new InetSocketAddress(host, Integer.parseInt(a.substring(colon + 1)));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
