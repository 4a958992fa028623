package dev.convene.sdp;

import java.util.List;

/** A {@code t=<start> <stop>} line; WebRTC always uses {@code t=0 0} ({@link #UNBOUNDED}). */
public record Timing(long start, long stop) implements SdpLine {
    public static final Timing UNBOUNDED = new Timing(0, 0);

    public Timing {
        if (start < 0 || stop < 0) {
            throw new IllegalArgumentException("timing must not be negative: " + start + " " + stop);
        }
    }

    static Timing parse(String content) throws SdpParseException {
        List<String> f = Syntax.fields(content, "t= line");
        if (f.size() != 2) {
            throw new SdpParseException("malformed t= line " + Syntax.show(content) + ": expected <start> <stop>");
        }
        return new Timing(Syntax.number(f.get(0), "start time"), Syntax.number(f.get(1), "stop time"));
    }

    @Override
    public char letter() {
        return 't';
    }

    @Override
    public String content() {
        return start + " " + stop;
    }

    @Override
    public String toString() {
        return "t=" + content();
    }
}
