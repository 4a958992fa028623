package dev.convene.sdp;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code a=ssrc-group:<semantics> <ssrc>…} (RFC 5576), e.g. {@code FID 948626478 315663504}
 * (a media SSRC and its RTX SSRC) or {@code SIM 1 2 3}.
 */
public record SsrcGroup(String semantics, List<Long> ssrcs) {
    public static final String FID = "FID";
    public static final String SIM = "SIM";

    public SsrcGroup {
        Syntax.requireToken(semantics, "ssrc-group semantics");
        ssrcs = List.copyOf(ssrcs);
        if (ssrcs.isEmpty()) {
            throw new IllegalArgumentException("ssrc-group needs at least one SSRC");
        }
        for (long s : ssrcs) {
            if (s < 0 || s > SsrcAttribute.MAX_SSRC) {
                throw new IllegalArgumentException("SSRC must be 0.." + SsrcAttribute.MAX_SSRC + ", was " + s);
            }
        }
    }

    /** {@code FID <media> <rtx>}. */
    public static SsrcGroup fid(long mediaSsrc, long rtxSsrc) {
        return new SsrcGroup(FID, List.of(mediaSsrc, rtxSsrc));
    }

    public static SsrcGroup parse(String value) throws SdpParseException {
        List<String> f = Syntax.fields(value, "ssrc-group");
        if (f.size() < 2) {
            throw new SdpParseException("malformed ssrc-group " + Syntax.show(value) + ": expected <semantics> <ssrc>…");
        }
        List<Long> ssrcs = new ArrayList<>();
        for (String s : f.subList(1, f.size())) {
            ssrcs.add(Syntax.unsigned(s, SsrcAttribute.MAX_SSRC, "SSRC"));
        }
        return new SsrcGroup(f.get(0), ssrcs);
    }

    public String toValue() {
        StringBuilder out = new StringBuilder(semantics);
        ssrcs.forEach(s -> out.append(' ').append(s));
        return out.toString();
    }

    public Attribute toAttribute() {
        return Attribute.of("ssrc-group", toValue());
    }
}
