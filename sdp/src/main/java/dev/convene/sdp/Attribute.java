package dev.convene.sdp;

import java.util.Objects;

/**
 * An {@code a=} line: a name and, unless it is a flag such as {@code a=rtcp-mux}, a value.
 * The value is kept exactly as written, so {@code a=msid-semantic: WMS} has the value
 * {@code " WMS"}; {@code a=x:} has the value {@code ""}, which is not the same as a flag.
 *
 * @param name  the attribute name, before the first colon
 * @param value everything after the first colon, or {@code null} for a flag
 */
public record Attribute(String name, String value) implements SdpLine {
    public Attribute {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty() || name.indexOf(':') >= 0 || !Syntax.isToken(name)) {
            throw new IllegalArgumentException("attribute name must be a non-empty token without ':', was "
                    + Syntax.show(name));
        }
        if (value != null) {
            Syntax.requireLineText(value, "attribute value");
        }
    }

    /** A value attribute, {@code a=name:value}. */
    public static Attribute of(String name, String value) {
        return new Attribute(name, Objects.requireNonNull(value, "value"));
    }

    /** A flag attribute, {@code a=name}. */
    public static Attribute flag(String name) {
        return new Attribute(name, null);
    }

    /** Splits the content of an {@code a=} line at its first colon. */
    static Attribute parse(String content) throws SdpParseException {
        int colon = content.indexOf(':');
        String name = colon < 0 ? content : content.substring(0, colon);
        if (name.isEmpty()) {
            throw new SdpParseException("attribute has an empty name: " + Syntax.show("a=" + content));
        }
        if (!Syntax.isToken(name)) {
            throw new SdpParseException("attribute name " + Syntax.show(name) + " contains spaces or control characters");
        }
        return new Attribute(name, colon < 0 ? null : content.substring(colon + 1));
    }

    public boolean isFlag() {
        return value == null;
    }

    @Override
    public char letter() {
        return 'a';
    }

    @Override
    public String content() {
        return value == null ? name : name + ":" + value;
    }

    @Override
    public String toString() {
        return "a=" + content();
    }
}
