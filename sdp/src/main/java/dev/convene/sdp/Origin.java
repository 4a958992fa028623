package dev.convene.sdp;

import java.math.BigInteger;
import java.util.List;

/**
 * The {@code o=} line. Session id and version are kept as the digit strings they were,
 * since some peers use values beyond a signed 64-bit number.
 */
public record Origin(String username, String sessionId, String sessionVersion,
                     String netType, String addressType, String address) {
    public Origin {
        Syntax.requireToken(username, "origin username");
        requireDigits(sessionId, "session id");
        requireDigits(sessionVersion, "session version");
        Syntax.requireToken(netType, "origin network type");
        Syntax.requireToken(addressType, "origin address type");
        Syntax.requireToken(address, "origin address");
    }

    /** {@code o=- <sessionId> <version> IN IP4|IP6 <address>}, the shape WebRTC uses. */
    public static Origin of(String sessionId, long sessionVersion, String address) {
        return new Origin("-", sessionId, Long.toString(sessionVersion), "IN",
                address.indexOf(':') >= 0 ? "IP6" : "IP4", address);
    }

    static Origin parse(String content) throws SdpParseException {
        List<String> f = Syntax.fields(content, "o= line");
        if (f.size() != 6) {
            throw new SdpParseException("malformed o= line " + Syntax.show(content)
                    + ": expected 6 fields <username> <sess-id> <sess-version> <nettype> <addrtype> <address>");
        }
        if (!Syntax.isDigits(f.get(1)) || f.get(1).length() > 20) {
            throw new SdpParseException("o= session id " + Syntax.show(f.get(1)) + " is not a number");
        }
        if (!Syntax.isDigits(f.get(2)) || f.get(2).length() > 20) {
            throw new SdpParseException("o= session version " + Syntax.show(f.get(2)) + " is not a number");
        }
        return new Origin(f.get(0), f.get(1), f.get(2), f.get(3), f.get(4), f.get(5));
    }

    /** The same origin with the session version one higher, as every new offer of a session needs. */
    public Origin nextVersion() {
        return withSessionVersion(new BigInteger(sessionVersion).add(BigInteger.ONE).toString());
    }

    public Origin withSessionVersion(String version) {
        return new Origin(username, sessionId, version, netType, addressType, address);
    }

    public String content() {
        return String.join(" ", username, sessionId, sessionVersion, netType, addressType, address);
    }

    @Override
    public String toString() {
        return "o=" + content();
    }

    private static void requireDigits(String s, String what) {
        if (s == null || !Syntax.isDigits(s) || s.length() > 20) {
            throw new IllegalArgumentException(what + " must be 1 to 20 digits, was " + Syntax.show(s));
        }
    }
}
