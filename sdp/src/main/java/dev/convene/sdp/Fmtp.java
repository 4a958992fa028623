package dev.convene.sdp;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.SequencedMap;

/**
 * {@code a=fmtp:<payload type> <parameters>}, e.g. {@code 97 apt=96} or
 * {@code 103 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f}.
 *
 * <p>Parameters are {@code ;}-separated {@code key=value} pairs, in order. A parameter
 * without {@code =} (RED's {@code 111/111}) is a key with the empty value, and an empty
 * value is written back without {@code =}.
 */
public record Fmtp(int payloadType, SequencedMap<String, String> parameters) {
    public Fmtp {
        RtpMap.requirePayloadType(payloadType);
        LinkedHashMap<String, String> copy = new LinkedHashMap<>();
        parameters.forEach((k, v) -> {
            if (k == null || k.isEmpty() || v == null) {
                throw new IllegalArgumentException("fmtp parameter names must be non-empty and values non-null");
            }
            Syntax.requireLineText(k, "fmtp parameter name");
            Syntax.requireLineText(v, "fmtp parameter value");
            copy.put(k, v);
        });
        parameters = Collections.unmodifiableSequencedMap(copy);
    }

    /** An fmtp from parameters in the given map's iteration order. */
    public static Fmtp of(int payloadType, Map<String, String> parameters) {
        return new Fmtp(payloadType, new LinkedHashMap<>(parameters));
    }

    /** The RTX fmtp {@code apt=<associated payload type>}. */
    public static Fmtp rtx(int payloadType, int associatedPayloadType) {
        RtpMap.requirePayloadType(associatedPayloadType);
        return of(payloadType, Map.of("apt", Integer.toString(associatedPayloadType)));
    }

    public static Fmtp parse(String value) throws SdpParseException {
        int space = value.indexOf(' ');
        if (space < 0) {
            throw new SdpParseException("malformed fmtp " + Syntax.show(value) + ": expected <payload type> <parameters>");
        }
        int pt = RtpMap.payloadType(value.substring(0, space));
        LinkedHashMap<String, String> params = new LinkedHashMap<>();
        for (String part : value.substring(space + 1).split(";")) {
            String p = part.strip();
            if (p.isEmpty()) {
                continue;
            }
            int eq = p.indexOf('=');
            String key = (eq < 0 ? p : p.substring(0, eq)).strip();
            if (key.isEmpty()) {
                throw new SdpParseException("fmtp " + Syntax.show(value) + " has a parameter without a name");
            }
            params.putIfAbsent(key, eq < 0 ? "" : p.substring(eq + 1).strip());
        }
        return new Fmtp(pt, params);
    }

    public Optional<String> parameter(String name) {
        return Optional.ofNullable(parameters.get(name));
    }

    /** The associated payload type of an RTX (or RED/FEC) format, from {@code apt=}. */
    public OptionalInt apt() {
        String apt = parameters.get("apt");
        if (apt == null || !Syntax.isDigits(apt) || apt.length() > 3) {
            return OptionalInt.empty();
        }
        int pt = Integer.parseInt(apt);
        return pt <= 127 ? OptionalInt.of(pt) : OptionalInt.empty();
    }

    public String toValue() {
        StringBuilder out = new StringBuilder().append(payloadType).append(' ');
        boolean first = true;
        for (Map.Entry<String, String> e : parameters.entrySet()) {
            if (!first) {
                out.append(';');
            }
            first = false;
            out.append(e.getKey());
            if (!e.getValue().isEmpty()) {
                out.append('=').append(e.getValue());
            }
        }
        return out.toString();
    }

    public Attribute toAttribute() {
        return Attribute.of("fmtp", toValue());
    }
}
