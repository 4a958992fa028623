package dev.convene.sdp;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;
import java.util.SequencedMap;

/**
 * {@code a=rid:<id> send|recv [<restrictions>]} (RFC 8851), e.g. {@code q send} or
 * {@code f recv pt=96;max-width=1280}.
 *
 * @param restrictions the raw restriction text, or {@code null}
 */
public record Rid(String id, Rid.Direction direction, String restrictions) {
    /** Whether the rid describes a stream its writer sends or receives. */
    public enum Direction {
        SEND, RECV;

        public String sdpName() {
            return this == SEND ? "send" : "recv";
        }

        public Direction reverse() {
            return this == SEND ? RECV : SEND;
        }
    }

    public Rid {
        if (!isRidId(id)) {
            throw new IllegalArgumentException("rid id must be letters, digits, '-' or '_', was " + Syntax.show(id));
        }
        Objects.requireNonNull(direction, "direction");
        if (restrictions != null) {
            Syntax.requireToken(restrictions, "rid restrictions");
        }
    }

    public static Rid send(String id) {
        return new Rid(id, Direction.SEND, null);
    }

    public static Rid recv(String id) {
        return new Rid(id, Direction.RECV, null);
    }

    public static Rid parse(String value) throws SdpParseException {
        List<String> f = Syntax.fields(value, "rid");
        if (f.size() < 2 || f.size() > 3) {
            throw new SdpParseException("malformed rid " + Syntax.show(value) + ": expected <id> send|recv [<restrictions>]");
        }
        if (!isRidId(f.get(0))) {
            throw new SdpParseException("rid id " + Syntax.show(f.get(0)) + " may only hold letters, digits, '-' and '_'");
        }
        Direction direction = switch (f.get(1)) {
            case "send" -> Direction.SEND;
            case "recv" -> Direction.RECV;
            default -> throw new SdpParseException("rid direction " + Syntax.show(f.get(1)) + " is not send or recv");
        };
        return new Rid(f.get(0), direction, f.size() == 3 ? f.get(2) : null);
    }

    /** The restrictions as ordered {@code key=value} pairs ({@code pt=96,97} keeps its commas). */
    public SequencedMap<String, String> restrictionMap() {
        LinkedHashMap<String, String> out = new LinkedHashMap<>();
        if (restrictions != null) {
            for (String part : restrictions.split(";")) {
                if (part.isEmpty()) {
                    continue;
                }
                int eq = part.indexOf('=');
                out.putIfAbsent(eq < 0 ? part : part.substring(0, eq), eq < 0 ? "" : part.substring(eq + 1));
            }
        }
        return Collections.unmodifiableSequencedMap(out);
    }

    /** The payload types of a {@code pt=} restriction, empty when there is none. */
    public List<Integer> payloadTypes() {
        String pts = restrictionMap().get("pt");
        List<Integer> out = new ArrayList<>();
        if (pts != null) {
            for (String pt : pts.split(",")) {
                if (Syntax.isDigits(pt) && pt.length() <= 3 && Integer.parseInt(pt) <= 127) {
                    out.add(Integer.parseInt(pt));
                }
            }
        }
        return List.copyOf(out);
    }

    /** The rid an answerer mirrors: same id and restrictions, opposite direction. */
    public Rid reverse() {
        return new Rid(id, direction.reverse(), restrictions);
    }

    public String toValue() {
        return id + " " + direction.sdpName() + (restrictions == null ? "" : " " + restrictions);
    }

    public Attribute toAttribute() {
        return Attribute.of("rid", toValue());
    }

    static boolean isRidId(String s) {
        if (s == null || s.isEmpty() || s.length() > 255) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
