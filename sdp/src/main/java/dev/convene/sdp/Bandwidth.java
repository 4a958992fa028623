package dev.convene.sdp;

/**
 * A {@code b=<type>:<value>} line, e.g. {@code b=AS:2500} (kbit/s) or {@code b=TIAS:2500000} (bit/s).
 */
public record Bandwidth(String type, long value) implements SdpLine {
    public Bandwidth {
        Syntax.requireToken(type, "bandwidth type");
        if (type.indexOf(':') >= 0) {
            throw new IllegalArgumentException("bandwidth type must not contain ':', was " + Syntax.show(type));
        }
        if (value < 0) {
            throw new IllegalArgumentException("bandwidth must not be negative, was " + value);
        }
    }

    static Bandwidth parse(String content) throws SdpParseException {
        int colon = content.indexOf(':');
        if (colon <= 0 || !Syntax.isToken(content.substring(0, colon))) {
            throw new SdpParseException("malformed b= line " + Syntax.show(content) + ": expected <type>:<number>");
        }
        return new Bandwidth(content.substring(0, colon), Syntax.number(content.substring(colon + 1), "bandwidth"));
    }

    @Override
    public char letter() {
        return 'b';
    }

    @Override
    public String content() {
        return type + ":" + value;
    }

    @Override
    public String toString() {
        return "b=" + content();
    }
}
