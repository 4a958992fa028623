package dev.convene.sfu.negotiation;

/**
 * The SFU's decision for one m-line of a publisher offer.
 *
 * @param codec the codec the SFU receives on it, or null when the m-line is rejected
 * @param rtxPayloadType the publisher's RTX payload type for {@code codec}, accepted; -1 for none
 */
public record AnsweredMedia(OfferedMedia offered, Codec codec, int rtxPayloadType) {

    public boolean accepted() {
        return codec != null;
    }
}
