package dev.convene.sdp;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One payload type of an m-line with everything said about it: its rtpmap, its fmtp if
 * any, and its rtcp-fb lines (those naming this payload type, not {@code *}).
 *
 * @param fmtp the format parameters, or {@code null} when there are none
 */
public record Codec(RtpMap rtpMap, Fmtp fmtp, List<RtcpFeedback> feedback) {
    public Codec {
        Objects.requireNonNull(rtpMap, "rtpMap");
        feedback = List.copyOf(feedback);
        if (fmtp != null && fmtp.payloadType() != rtpMap.payloadType()) {
            throw new IllegalArgumentException("fmtp is for payload type " + fmtp.payloadType()
                    + ", rtpmap for " + rtpMap.payloadType());
        }
        for (RtcpFeedback fb : feedback) {
            if (fb.payloadType() != rtpMap.payloadType()) {
                throw new IllegalArgumentException("rtcp-fb " + fb.toValue() + " is not for payload type "
                        + rtpMap.payloadType());
            }
        }
    }

    public static Codec of(RtpMap rtpMap) {
        return new Codec(rtpMap, null, List.of());
    }

    public int payloadType() {
        return rtpMap.payloadType();
    }

    public String name() {
        return rtpMap.encodingName();
    }

    public int clockRate() {
        return rtpMap.clockRate();
    }

    /** The fmtp parameters, empty when there is no fmtp. */
    public Map<String, String> parameters() {
        return fmtp == null ? Map.of() : fmtp.parameters();
    }

    public Optional<String> parameter(String name) {
        return Optional.ofNullable(parameters().get(name));
    }

    public boolean isRtx() {
        return rtpMap.encodingName().equalsIgnoreCase("rtx");
    }

    /** This codec under another payload type, with its fmtp and feedback moved along. */
    public Codec withPayloadType(int pt) {
        return new Codec(new RtpMap(pt, rtpMap.encodingName(), rtpMap.clockRate(), rtpMap.channels()),
                fmtp == null ? null : new Fmtp(pt, fmtp.parameters()),
                feedback.stream().map(fb -> fb.withPayloadType(pt)).toList());
    }

    /** The same codec with other rtcp-fb lines (for an answer that supports fewer). */
    public Codec withFeedback(List<RtcpFeedback> newFeedback) {
        return new Codec(rtpMap, fmtp, newFeedback);
    }
}
