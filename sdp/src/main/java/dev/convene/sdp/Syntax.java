package dev.convene.sdp;

import java.util.ArrayList;
import java.util.List;

/** Small lexical helpers shared by the value types. Numbers are ASCII digits only. */
final class Syntax {
    private Syntax() {}

    static int integer(String token, int min, int max, String what) throws SdpParseException {
        long value = number(token, what);
        if (value < min || value > max) {
            throw new SdpParseException(what + " " + value + " is out of range " + min + ".." + max);
        }
        return (int) value;
    }

    static long unsigned(String token, long max, String what) throws SdpParseException {
        long value = number(token, what);
        if (value > max) {
            throw new SdpParseException(what + " " + value + " is out of range 0.." + max);
        }
        return value;
    }

    /** A non-negative decimal that fits a long; rejects signs, spaces and non-ASCII digits. */
    static long number(String token, String what) throws SdpParseException {
        if (token.isEmpty() || token.length() > 18 || !isDigits(token)) {
            throw new SdpParseException(what + " " + show(token) + " is not a number");
        }
        return Long.parseLong(token);
    }

    static boolean isDigits(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    /** Splits on single spaces; an empty field (two spaces, leading or trailing space) is an error. */
    static List<String> fields(String text, String what) throws SdpParseException {
        List<String> out = new ArrayList<>();
        int start = 0;
        while (true) {
            int space = text.indexOf(' ', start);
            String field = space < 0 ? text.substring(start) : text.substring(start, space);
            if (field.isEmpty()) {
                throw new SdpParseException(what + " " + show(text)
                        + " has an empty field (a leading, trailing or double space)");
            }
            out.add(field);
            if (space < 0) {
                return out;
            }
            start = space + 1;
        }
    }

    /** A non-empty run of visible ASCII characters other than space (RFC 8866 token-ish). */
    static boolean isToken(String s) {
        if (s == null || s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= ' ' || c >= 0x7f) {
                return false;
            }
        }
        return true;
    }

    static String requireToken(String s, String what) {
        if (!isToken(s)) {
            throw new IllegalArgumentException(what + " must be a non-empty token without spaces, was " + show(s));
        }
        return s;
    }

    /** Text that may go on an SDP line: no CR, LF or NUL. */
    static String requireLineText(String s, String what) {
        if (s == null) {
            throw new IllegalArgumentException(what + " must not be null");
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\r' || c == '\n' || c == 0) {
                throw new IllegalArgumentException(what + " must not contain CR, LF or NUL: " + show(s));
            }
        }
        return s;
    }

    /** Quotes a piece of input for an error message, shortened and with control characters escaped. */
    static String show(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder("'");
        int limit = Math.min(s.length(), 60);
        for (int i = 0; i < limit; i++) {
            char c = s.charAt(i);
            if (c < ' ' || c == 0x7f) {
                out.append(String.format("\\x%02x", (int) c));
            } else {
                out.append(c);
            }
        }
        if (s.length() > limit) {
            out.append("…");
        }
        return out.append('\'').toString();
    }

    static IllegalArgumentException invalid(SdpParseException e) {
        return new IllegalArgumentException(e.getMessage(), e);
    }
}
