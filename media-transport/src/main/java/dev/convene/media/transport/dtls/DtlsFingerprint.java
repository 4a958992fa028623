package dev.convene.media.transport.dtls;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;

/**
 * A certificate fingerprint as carried by SDP {@code a=fingerprint} (RFC 8122 §5): a hash
 * function name and the digest of the DER-encoded certificate.
 *
 * <p>WebRTC authenticates DTLS peers by this value alone, not by a chain of trust, so the
 * comparison is the whole security check: hash names compare case-insensitively and the
 * digest compares as bytes, whatever the case of the hex digits it was parsed from.
 *
 * @param algorithm the lower-case hash name of the SDP grammar: {@code sha-1}, {@code sha-224},
 *     {@code sha-256}, {@code sha-384} or {@code sha-512}
 * @param digest the digest bytes (copied in and out)
 */
public record DtlsFingerprint(String algorithm, byte[] digest) {

    public static final String SHA_256 = "sha-256";

    private static final HexFormat UPPER_COLON = HexFormat.ofDelimiter(":").withUpperCase();

    public DtlsFingerprint {
        algorithm = algorithm.toLowerCase(Locale.ROOT);
        String jca = jcaName(algorithm);
        digest = digest.clone();
        int expected = digestLength(jca);
        if (digest.length != expected) {
            throw new IllegalArgumentException(
                    algorithm + " fingerprint needs " + expected + " bytes, got " + digest.length);
        }
    }

    /** The SHA-256 fingerprint of a DER-encoded certificate. */
    public static DtlsFingerprint sha256(byte[] certificateDer) {
        return of(SHA_256, certificateDer);
    }

    /** The fingerprint of a DER-encoded certificate with the named SDP hash function. */
    public static DtlsFingerprint of(String algorithm, byte[] certificateDer) {
        String name = algorithm.toLowerCase(Locale.ROOT);
        return new DtlsFingerprint(name, newDigest(jcaName(name)).digest(certificateDer));
    }

    /**
     * Parses the value of an SDP {@code a=fingerprint} attribute, e.g.
     * {@code "sha-256 AB:CD:…"}; the hash name and the hex digits may be of either case.
     *
     * @throws IllegalArgumentException if the value is malformed or names an unknown hash
     */
    public static DtlsFingerprint parse(String sdpValue) {
        String trimmed = sdpValue.strip();
        int space = trimmed.indexOf(' ');
        if (space <= 0) {
            throw new IllegalArgumentException("fingerprint needs '<hash-func> <hex>': " + sdpValue);
        }
        String algorithm = trimmed.substring(0, space);
        String hex = trimmed.substring(space + 1).strip();
        byte[] digest;
        try {
            digest = UPPER_COLON.parseHex(hex.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("fingerprint hex is not colon-separated bytes: " + sdpValue, e);
        }
        return new DtlsFingerprint(algorithm, digest);
    }

    /** Whether this fingerprint is that of the given DER certificate (hashed with this algorithm). */
    public boolean matches(byte[] certificateDer) {
        byte[] actual = newDigest(jcaName(algorithm)).digest(certificateDer);
        return MessageDigest.isEqual(actual, digest);
    }

    /** Upper-case hex bytes separated by colons: {@code AB:CD:…}. */
    public String hex() {
        return UPPER_COLON.formatHex(digest);
    }

    /** The attribute value for SDP: {@code sha-256 AB:CD:…}. */
    public String toSdpValue() {
        return algorithm + ' ' + hex();
    }

    @Override
    public byte[] digest() {
        return digest.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DtlsFingerprint other
                && algorithm.equals(other.algorithm)
                && Arrays.equals(digest, other.digest);
    }

    @Override
    public int hashCode() {
        return Objects.hash(algorithm, Arrays.hashCode(digest));
    }

    @Override
    public String toString() {
        return toSdpValue();
    }

    private static String jcaName(String sdpName) {
        return switch (sdpName) {
            case "sha-1" -> "SHA-1";
            case "sha-224" -> "SHA-224";
            case "sha-256" -> "SHA-256";
            case "sha-384" -> "SHA-384";
            case "sha-512" -> "SHA-512";
            default -> throw new IllegalArgumentException("unsupported fingerprint hash function: " + sdpName);
        };
    }

    private static int digestLength(String jcaName) {
        return newDigest(jcaName).getDigestLength();
    }

    private static MessageDigest newDigest(String jcaName) {
        try {
            return MessageDigest.getInstance(jcaName);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("JDK lacks " + jcaName, e);
        }
    }
}
