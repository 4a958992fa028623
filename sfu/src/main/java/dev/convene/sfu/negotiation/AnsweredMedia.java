package dev.convene.sfu.negotiation;

/**
 * The SFU's decision for one m-line of a publisher offer.
 *
 * @param codec the codec the SFU receives on it, or null when the m-line is rejected
 */
public record AnsweredMedia(OfferedMedia offered, Codec codec) {

    public boolean accepted() {
        return codec != null;
    }
}
