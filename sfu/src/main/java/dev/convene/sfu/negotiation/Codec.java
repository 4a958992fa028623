package dev.convene.sfu.negotiation;

import java.util.List;

/** One payload type of an m-line: rtpmap, fmtp and rtcp-fb together. */
public record Codec(int payloadType, String name, int clockRate, int channels, String fmtp, List<String> feedback) {

    public boolean is(String codecName) {
        return name.equalsIgnoreCase(codecName);
    }
}
