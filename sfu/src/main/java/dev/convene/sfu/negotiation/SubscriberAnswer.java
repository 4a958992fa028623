package dev.convene.sfu.negotiation;

import java.util.Map;
import java.util.Set;

/**
 * A client's answer to a subscriber offer, reduced to what the SFU acts on: its transport
 * parameters, and the payload types it accepted on each m-line it did not reject.
 *
 * @param payloadTypesByMid mid → the payload types the answer lists for it (rejected lines absent)
 * @param transportCcExtensionId the id the answer kept for the transport-wide sequence number
 *     extension, or 0: without it the SFU stamps nothing and estimates from REMB if any
 */
public record SubscriberAnswer(TransportParams transport, Map<String, Set<Integer>> payloadTypesByMid,
        int transportCcExtensionId) {

    public SubscriberAnswer(TransportParams transport, Map<String, Set<Integer>> payloadTypesByMid) {
        this(transport, payloadTypesByMid, 0);
    }

    public SubscriberAnswer {
        payloadTypesByMid = Map.copyOf(payloadTypesByMid);
    }

    /** Whether the answer accepted {@code payloadType} on the m-line {@code mid} (false if the line is rejected or absent). */
    public boolean accepts(String mid, int payloadType) {
        Set<Integer> types = payloadTypesByMid.get(mid);
        return types != null && types.contains(payloadType);
    }
}
