package dev.convene.sdp;

import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;

/**
 * {@code a=fingerprint:<hash function> <hex pairs>} (RFC 8122), e.g. {@code sha-256 95:73:…:0A}.
 */
public record Fingerprint(String algorithm, String value) {
    private static final Pattern HEX_PAIRS = Pattern.compile("[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2})*");

    public Fingerprint {
        Syntax.requireToken(algorithm, "fingerprint algorithm");
        if (value == null || !HEX_PAIRS.matcher(value).matches()) {
            throw new IllegalArgumentException("fingerprint must be colon-separated hex pairs, was " + Syntax.show(value));
        }
    }

    /** A SHA-256 fingerprint of a certificate, given the 32-byte digest of its DER encoding. */
    public static Fingerprint sha256(byte[] digest) {
        if (digest.length != 32) {
            throw new IllegalArgumentException("a SHA-256 digest has 32 bytes, not " + digest.length);
        }
        return new Fingerprint("sha-256", HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest));
    }

    public static Fingerprint parse(String value) throws SdpParseException {
        List<String> f = Syntax.fields(value, "fingerprint");
        if (f.size() != 2 || !HEX_PAIRS.matcher(f.get(1)).matches()) {
            throw new SdpParseException("malformed fingerprint " + Syntax.show(value)
                    + ": expected <hash function> <colon-separated hex pairs>");
        }
        return new Fingerprint(f.get(0), f.get(1));
    }

    /** The digest bytes. */
    public byte[] bytes() {
        return HexFormat.ofDelimiter(":").parseHex(value);
    }

    public Attribute toAttribute() {
        return Attribute.of("fingerprint", algorithm + " " + value);
    }
}
