package dev.convene.sdp;

/**
 * An SDP text (or one of its values) that cannot be used: the message says which line
 * and what was wrong, so it can go back to the peer in a {@code bad_sdp} error.
 */
public final class SdpParseException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int lineNumber;
    private final String reason;

    /** A problem with a value that is not tied to a line (yet). */
    public SdpParseException(String reason) {
        this(0, reason);
    }

    /** A problem on a line; {@code lineNumber} counts from 1, 0 means "no particular line". */
    public SdpParseException(int lineNumber, String reason) {
        super(lineNumber > 0 ? "line " + lineNumber + ": " + reason : reason);
        this.lineNumber = lineNumber;
        this.reason = reason;
    }

    /** The 1-based line of the problem, or 0 when it concerns the whole description. */
    public int lineNumber() {
        return lineNumber;
    }

    /** The message without the line prefix. */
    public String reason() {
        return reason;
    }

    SdpParseException atLine(int line) {
        return lineNumber > 0 || line <= 0 ? this : new SdpParseException(line, reason);
    }
}
