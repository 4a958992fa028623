package dev.convene.sdp;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses SDP text into a {@link SessionDescription}.
 *
 * <p>Strict about structure, since the text comes from peers we do not trust: it must start
 * {@code v=0}, {@code o=}, {@code s=}; every line is {@code <letter>=<value>}; a type letter
 * RFC 8866 does not define is rejected (its §5 says a parser must not use such a
 * description); the m= line, numbers, and the attributes that have typed accessors must be
 * well formed; and the text must stay within {@link Limits}. Lenient about what it need not
 * understand: unknown attributes are kept as they are, and blanks (spaces, tabs) at the end of a
 * structured line are ignored — Pion writes {@code a=rtcp-fb:111 transport-cc } — except on the
 * free-text lines ({@code s= i= u= e= p= k=}), whose text is kept. Lines may end in CRLF or LF;
 * {@link SessionDescription#toString()} always writes CRLF, without trailing blanks.
 */
public final class SdpParser {
    /** Bounds on what the parser will read, so a hostile peer cannot make it work hard. */
    public record Limits(int maxLength, int maxLines, int maxLineLength) {
        /** 64 KiB in all (the signaling frame limit), 4,096 lines, 4,096 characters a line. */
        public static final Limits DEFAULT = new Limits(64 * 1024, 4096, 4096);
        /**
         * For descriptions of a whole meeting's tracks: a subscriber's offer and answer carry one
         * m-line per track it may receive (~200 at 100 participants, ~100 KB as a browser writes
         * them). 512 KiB and 32,768 lines hold 150 participants' worth with room to spare (ADR 0034).
         */
        public static final Limits MEETING = new Limits(512 * 1024, 32_768, 4096);

        public Limits {
            if (maxLength < 1 || maxLines < 1 || maxLineLength < 1) {
                throw new IllegalArgumentException("limits must be positive");
            }
        }
    }

    private static final String SESSION_LETTERS = "iuepcbtrzka";
    private static final String MEDIA_LETTERS = "icbka";
    private static final String ALL_LETTERS = "vosiuepcbtrzkam";
    /** Lines whose value is free text: trailing blanks are part of it (an {@code s= } names nothing). */
    private static final String TEXT_LETTERS = "siuepk";

    private SdpParser() {}

    /** Parses with {@link Limits#DEFAULT}. */
    public static SessionDescription parse(String text) throws SdpParseException {
        return parse(text, Limits.DEFAULT);
    }

    /**
     * Parses an SDP.
     *
     * @throws SdpParseException with the line number and what was wrong; never another
     *         exception for any input text
     */
    public static SessionDescription parse(String text, Limits limits) throws SdpParseException {
        if (text == null) {
            throw new SdpParseException("no SDP (null)");
        }
        if (text.length() > limits.maxLength()) {
            throw new SdpParseException("SDP is " + text.length() + " characters, more than the limit of "
                    + limits.maxLength());
        }
        if (text.isEmpty()) {
            throw new SdpParseException("empty SDP: expected 'v=0' on line 1");
        }
        List<String> lines = splitLines(text, limits);
        return new Reader(lines).read();
    }

    private static List<String> splitLines(String text, Limits limits) throws SdpParseException {
        List<String> lines = new ArrayList<>();
        int start = 0;
        while (start < text.length()) {
            int nl = text.indexOf('\n', start);
            int end = nl < 0 ? text.length() : nl;
            String line = text.substring(start, end);
            if (line.endsWith("\r")) {
                line = line.substring(0, line.length() - 1);
            }
            if (lines.size() == limits.maxLines()) {
                throw new SdpParseException("SDP has more than " + limits.maxLines() + " lines");
            }
            int number = lines.size() + 1;
            if (line.length() > limits.maxLineLength()) {
                throw new SdpParseException(number, "line is " + line.length() + " characters long, more than the limit of "
                        + limits.maxLineLength());
            }
            for (int i = 0; i < line.length(); i++) {
                char c = line.charAt(i);
                if (c == '\r') {
                    throw new SdpParseException(number, "stray carriage return inside the line (lines end in CRLF or LF)");
                }
                if (c == 0) {
                    throw new SdpParseException(number, "NUL character at column " + (i + 1));
                }
            }
            lines.add(withoutTrailingBlanks(line));
            start = end + 1;
        }
        return lines;
    }

    private static String withoutTrailingBlanks(String line) {
        if (line.length() < 2 || line.charAt(1) != '=' || TEXT_LETTERS.indexOf(line.charAt(0)) >= 0) {
            return line;
        }
        int end = line.length();
        while (end > 2 && (line.charAt(end - 1) == ' ' || line.charAt(end - 1) == '\t')) {
            end--;
        }
        return line.substring(0, end);
    }

    /** One pass over the lines of one SDP. */
    private static final class Reader {
        private final List<String> lines;
        private int index;

        Reader(List<String> lines) {
            this.lines = lines;
        }

        SessionDescription read() throws SdpParseException {
            String version = expect('v', "an SDP must start with 'v=0'");
            if (!version.equals("0")) {
                throw new SdpParseException(1, "unsupported SDP version " + Syntax.show(version) + ", expected v=0");
            }
            String originText = expect('o', "expected the o= line right after v=");
            Origin origin = at(2, () -> Origin.parse(originText));
            String sessionName = expect('s', "expected the s= line right after o=");

            List<SdpLine> sessionLines = new ArrayList<>();
            boolean timing = false;
            while (index < lines.size() && letter(index) != 'm') {
                char letter = letter(index);
                if (SESSION_LETTERS.indexOf(letter) < 0) {
                    throw new SdpParseException(index + 1, ALL_LETTERS.indexOf(letter) >= 0
                            ? "duplicate '" + letter + "=' line"
                            : "unknown line type '" + letter + "=' before the first m= line");
                }
                SdpLine line = at(() -> line(letter, content(index)));
                timing |= line instanceof Timing;
                sessionLines.add(line);
                index++;
            }
            if (!timing) {
                throw new SdpParseException(index + 1, "missing t= line before " + (index < lines.size()
                        ? "the first m= line" : "the end") + " (RFC 8866 requires one)");
            }

            List<MediaDescription> media = new ArrayList<>();
            Map<String, Integer> midLines = new HashMap<>();
            while (index < lines.size()) {
                media.add(media(midLines));
            }
            try {
                return new SessionDescription(origin, sessionName, sessionLines, media, true);
            } catch (IllegalArgumentException e) {
                // Everything was checked line by line above; this is a safety net so that
                // parse only ever throws SdpParseException.
                throw new SdpParseException(e.getMessage());
            }
        }

        private MediaDescription media(Map<String, Integer> midLines) throws SdpParseException {
            int mLine = index + 1;
            String content = content(index);
            List<String> f = at(() -> Syntax.fields(content, "m= line"));
            if (f.size() < 4) {
                throw new SdpParseException(mLine, "malformed m= line " + Syntax.show(content)
                        + ": expected <media> <port>[/<number of ports>] <proto> <format>…");
            }
            String type = f.get(0);
            String portText = f.get(1);
            String proto = f.get(2);
            List<String> formats = f.subList(3, f.size());
            if (!Syntax.isToken(type) || !Syntax.isToken(proto)) {
                throw new SdpParseException(mLine, "malformed m= line " + Syntax.show(content)
                        + ": media type and proto must be visible characters");
            }
            int slash = portText.indexOf('/');
            int port = at(() -> Syntax.integer(slash < 0 ? portText : portText.substring(0, slash), 0, 65535, "m= port"));
            int portCount = slash < 0 ? 0 : at(() -> Syntax.integer(portText.substring(slash + 1), 1, 65535, "m= number of ports"));
            for (String format : formats) {
                if (!Syntax.isToken(format)) {
                    throw new SdpParseException(mLine, "m= format " + Syntax.show(format) + " is not a token");
                }
                if (MediaDescription.isRtp(proto)) {
                    at(() -> RtpMap.payloadType(format));
                }
            }
            index++;

            List<SdpLine> mediaLines = new ArrayList<>();
            boolean midSeen = false;
            while (index < lines.size() && letter(index) != 'm') {
                char letter = letter(index);
                if (MEDIA_LETTERS.indexOf(letter) < 0) {
                    throw new SdpParseException(index + 1, ALL_LETTERS.indexOf(letter) >= 0
                            ? "'" + letter + "=' line is not allowed in a media description (the m= line at line " + mLine + ")"
                            : "unknown line type '" + letter + "=' in the media description at line " + mLine);
                }
                SdpLine line = at(() -> line(letter, content(index)));
                if (!midSeen && line instanceof Attribute a && a.name().equals("mid")) {
                    midSeen = true;
                    Integer other = midLines.putIfAbsent(a.value(), mLine);
                    if (other != null) {
                        throw new SdpParseException(index + 1, "mid " + Syntax.show(a.value())
                                + " is already used by the m= line at line " + other);
                    }
                }
                mediaLines.add(line);
                index++;
            }
            try {
                return new MediaDescription(type, port, portCount, proto, formats, mediaLines, true);
            } catch (IllegalArgumentException e) {
                throw new SdpParseException(mLine, e.getMessage());
            }
        }

        private static SdpLine line(char letter, String content) throws SdpParseException {
            return switch (letter) {
                case 'a' -> {
                    Attribute a = Attribute.parse(content);
                    KnownAttributes.check(a);
                    yield a;
                }
                case 'c' -> Connection.parse(content);
                case 'b' -> Bandwidth.parse(content);
                case 't' -> Timing.parse(content);
                default -> new OtherLine(letter, content);
            };
        }

        /** The content of the next line, which must have this letter. */
        private String expect(char letter, String problem) throws SdpParseException {
            if (index >= lines.size()) {
                throw new SdpParseException(index + 1, problem + ", but the SDP ends");
            }
            String line = lines.get(index);
            if (line.length() < 2 || line.charAt(0) != letter || line.charAt(1) != '=') {
                throw new SdpParseException(index + 1, problem + ", found " + Syntax.show(line));
            }
            index++;
            return line.substring(2);
        }

        /** The type letter of a line, after checking the line is {@code <letter>=…}. */
        private char letter(int i) throws SdpParseException {
            String line = lines.get(i);
            if (line.isEmpty()) {
                throw new SdpParseException(i + 1, "empty line");
            }
            if (line.length() < 2 || line.charAt(1) != '=' || line.charAt(0) < 'a' || line.charAt(0) > 'z') {
                throw new SdpParseException(i + 1, "expected '<letter>=<value>', found " + Syntax.show(line));
            }
            return line.charAt(0);
        }

        private String content(int i) {
            return lines.get(i).substring(2);
        }

        /** Runs a step and puts the current line number on its error. */
        private <T> T at(Step<T> step) throws SdpParseException {
            return at(index + 1, step);
        }

        private static <T> T at(int lineNumber, Step<T> step) throws SdpParseException {
            try {
                return step.run();
            } catch (SdpParseException e) {
                throw e.atLine(lineNumber);
            } catch (IllegalArgumentException e) {
                throw new SdpParseException(lineNumber, e.getMessage());
            }
        }
    }

    @FunctionalInterface
    private interface Step<T> {
        T run() throws SdpParseException;
    }
}
