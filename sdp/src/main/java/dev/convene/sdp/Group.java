package dev.convene.sdp;

import java.util.List;

/** {@code a=group:<semantics> <mid>…} (RFC 5888), e.g. {@code a=group:BUNDLE 0 1 2}. */
public record Group(String semantics, List<String> mids) {
    public static final String BUNDLE = "BUNDLE";

    public Group {
        Syntax.requireToken(semantics, "group semantics");
        mids = List.copyOf(mids);
        mids.forEach(m -> Syntax.requireToken(m, "group mid"));
    }

    public static Group bundle(List<String> mids) {
        return new Group(BUNDLE, mids);
    }

    public static Group parse(String value) throws SdpParseException {
        List<String> f = Syntax.fields(value, "group");
        return new Group(f.get(0), f.subList(1, f.size()));
    }

    public boolean isBundle() {
        return BUNDLE.equals(semantics);
    }

    public Attribute toAttribute() {
        return Attribute.of("group", mids.isEmpty() ? semantics : semantics + " " + String.join(" ", mids));
    }
}
