package dev.convene.signaling.placement;

import dev.convene.sfu.SfuNode;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/** One SFU node for every meeting: the all-in-one role. */
public final class SingleSfuDirectory implements SfuDirectory {

    private final SfuNode node;
    private final String region;

    public SingleSfuDirectory(SfuNode node, String region) {
        this.node = Objects.requireNonNull(node, "node");
        this.region = Objects.requireNonNull(region, "region");
    }

    @Override
    public Placement place(UUID meetingId, Optional<String> regionHint) {
        return new Placement(node.nodeId(), region);
    }

    @Override
    public void keepPlacement(UUID meetingId, String nodeId) {
        // One node: every meeting is on it.
    }

    @Override
    public SfuNode node(String nodeId) {
        if (!node.nodeId().equals(nodeId)) {
            throw new NoSfuAvailableException("SFU node " + nodeId + " is not known here");
        }
        return node;
    }
}
