package dev.convene.media.transport.stun;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.zip.CRC32;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A parsed STUN message (RFC 8489, RFC 5389) and, through {@link #builder}, a way to write
 * one. Parsing is strict and never throws on bytes from the network: anything that is not a
 * well-formed STUN message gives {@link Optional#empty()}. The message keeps a copy of its
 * bytes so that MESSAGE-INTEGRITY and FINGERPRINT can be verified afterwards.
 *
 * <p>STUN is off the media hot path (a check every few seconds per transport), so this class
 * favours clarity over avoiding allocation.
 */
public final class StunMessage {
    public static final int HEADER_LENGTH = 20;
    public static final int MAGIC_COOKIE = 0x2112A442;
    public static final int TRANSACTION_ID_LENGTH = 12;
    public static final int METHOD_BINDING = 0x001;

    static final int FINGERPRINT_XOR = 0x5354554E;
    static final int INTEGRITY_LENGTH = 20;
    static final int MAX_ATTRIBUTES = 64;
    private static final int MAX_USERNAME_BYTES = 513;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final int method;
    private final StunClass messageClass;
    private final byte[] transactionId;
    private final List<StunAttribute> attributes;
    private final byte[] raw;
    private final int integrityAt;
    private final int fingerprintAt;

    private StunMessage(int method, StunClass messageClass, byte[] transactionId, List<StunAttribute> attributes,
            byte[] raw, int integrityAt, int fingerprintAt) {
        this.method = method;
        this.messageClass = messageClass;
        this.transactionId = transactionId;
        this.attributes = attributes;
        this.raw = raw;
        this.integrityAt = integrityAt;
        this.fingerprintAt = fingerprintAt;
    }

    /** A cheap first look, for demultiplexing: top two bits zero, long enough, magic cookie. */
    public static boolean looksLikeStun(byte[] buf, int off, int len) {
        return buf != null && off >= 0 && len >= HEADER_LENGTH && off <= buf.length - len
                && (buf[off] & 0xC0) == 0 && readInt(buf, off + 4) == MAGIC_COOKIE;
    }

    /**
     * Parses {@code buf[off, off+len)} as exactly one STUN message. Empty when the header is
     * wrong, the length field disagrees with {@code len} or is not a multiple of 4, an
     * attribute runs past the end, a known attribute has the wrong size, or anything but
     * FINGERPRINT follows MESSAGE-INTEGRITY, or anything follows FINGERPRINT.
     */
    public static Optional<StunMessage> parse(byte[] buf, int off, int len) {
        if (!looksLikeStun(buf, off, len)) {
            return Optional.empty();
        }
        int bodyLength = readShort(buf, off + 2);
        if ((bodyLength & 3) != 0 || HEADER_LENGTH + bodyLength != len) {
            return Optional.empty();
        }
        byte[] raw = java.util.Arrays.copyOfRange(buf, off, off + len);
        int type = readShort(raw, 0);
        List<StunAttribute> attributes = new ArrayList<>();
        int integrityAt = -1;
        int fingerprintAt = -1;
        int pos = HEADER_LENGTH;
        while (pos < len) {
            if (fingerprintAt >= 0 || attributes.size() >= MAX_ATTRIBUTES || pos + 4 > len) {
                return Optional.empty();
            }
            int attrType = readShort(raw, pos);
            int attrLength = readShort(raw, pos + 2);
            int padded = (attrLength + 3) & ~3;
            if (padded > len - pos - 4 || !plausibleLength(attrType, attrLength)) {
                return Optional.empty();
            }
            if (attrType == StunAttributeType.FINGERPRINT) {
                fingerprintAt = pos;
            } else if (integrityAt >= 0) {
                // RFC 8489 §14.5: attributes after MESSAGE-INTEGRITY are ignored, except FINGERPRINT.
                pos += 4 + padded;
                continue;
            } else if (attrType == StunAttributeType.MESSAGE_INTEGRITY) {
                integrityAt = pos;
            }
            attributes.add(new StunAttribute(attrType,
                    java.util.Arrays.copyOfRange(raw, pos + 4, pos + 4 + attrLength)));
            pos += 4 + padded;
        }
        byte[] transactionId = java.util.Arrays.copyOfRange(raw, 8, HEADER_LENGTH);
        return Optional.of(new StunMessage(methodOf(type), classOf(type), transactionId,
                Collections.unmodifiableList(attributes), raw, integrityAt, fingerprintAt));
    }

    static boolean plausibleLength(int type, int length) {
        return switch (type) {
            case StunAttributeType.MESSAGE_INTEGRITY -> length == INTEGRITY_LENGTH;
            case StunAttributeType.FINGERPRINT, StunAttributeType.PRIORITY -> length == 4;
            case StunAttributeType.ICE_CONTROLLED, StunAttributeType.ICE_CONTROLLING -> length == 8;
            case StunAttributeType.USE_CANDIDATE -> length == 0;
            case StunAttributeType.USERNAME -> length <= MAX_USERNAME_BYTES;
            case StunAttributeType.MAPPED_ADDRESS, StunAttributeType.XOR_MAPPED_ADDRESS -> length == 8 || length == 20;
            case StunAttributeType.ERROR_CODE -> length >= 4 && length <= 4 + 763;
            default -> true;
        };
    }

    /** A fresh random transaction id (96 bits from a {@link SecureRandom}). */
    public static byte[] newTransactionId() {
        return newTransactionId(RANDOM);
    }

    public static byte[] newTransactionId(Random random) {
        byte[] id = new byte[TRANSACTION_ID_LENGTH];
        random.nextBytes(id);
        return id;
    }

    public static Builder builder(int method, StunClass messageClass, byte[] transactionId) {
        return new Builder(method, messageClass, transactionId);
    }

    public int method() {
        return method;
    }

    public StunClass messageClass() {
        return messageClass;
    }

    public boolean isBindingRequest() {
        return method == METHOD_BINDING && messageClass == StunClass.REQUEST;
    }

    /** A copy of the 96-bit transaction id. */
    public byte[] transactionId() {
        return transactionId.clone();
    }

    public boolean hasTransactionId(byte[] id) {
        return MessageDigest.isEqual(transactionId, id);
    }

    /** The attributes in wire order (those after MESSAGE-INTEGRITY other than FINGERPRINT dropped). */
    public List<StunAttribute> attributes() {
        return attributes;
    }

    public Optional<StunAttribute> attribute(int type) {
        for (StunAttribute a : attributes) {
            if (a.type() == type) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    public boolean has(int type) {
        return attribute(type).isPresent();
    }

    /** USERNAME as UTF-8 text. */
    public Optional<String> username() {
        return attribute(StunAttributeType.USERNAME).map(a -> new String(a.value(), StandardCharsets.UTF_8));
    }

    public Optional<InetSocketAddress> xorMappedAddress() {
        return attribute(StunAttributeType.XOR_MAPPED_ADDRESS).flatMap(a -> decodeAddress(a.value(), true));
    }

    public Optional<InetSocketAddress> mappedAddress() {
        return attribute(StunAttributeType.MAPPED_ADDRESS).flatMap(a -> decodeAddress(a.value(), false));
    }

    /** PRIORITY, an unsigned 32-bit value. */
    public OptionalLong priority() {
        return attribute(StunAttributeType.PRIORITY)
                .map(a -> OptionalLong.of(readInt(a.value(), 0) & 0xFFFFFFFFL)).orElse(OptionalLong.empty());
    }

    public boolean useCandidate() {
        return has(StunAttributeType.USE_CANDIDATE);
    }

    /** The tie-breaker of ICE-CONTROLLING. */
    public OptionalLong iceControlling() {
        return longAttribute(StunAttributeType.ICE_CONTROLLING);
    }

    /** The tie-breaker of ICE-CONTROLLED. */
    public OptionalLong iceControlled() {
        return longAttribute(StunAttributeType.ICE_CONTROLLED);
    }

    /** ERROR-CODE, when well-formed (class 3–6, number 0–99). */
    public Optional<StunErrorCode> errorCode() {
        return attribute(StunAttributeType.ERROR_CODE).flatMap(a -> {
            byte[] v = a.value();
            int cls = v[2] & 0x07;
            int number = v[3] & 0xFF;
            if (cls < 3 || cls > 6 || number > 99) {
                return Optional.empty();
            }
            return Optional.of(new StunErrorCode(cls * 100 + number,
                    new String(v, 4, v.length - 4, StandardCharsets.UTF_8)));
        });
    }

    public boolean hasMessageIntegrity() {
        return integrityAt >= 0;
    }

    public boolean hasFingerprint() {
        return fingerprintAt >= 0;
    }

    /**
     * Checks MESSAGE-INTEGRITY (RFC 8489 §14.5): HMAC-SHA1, keyed with {@code key} (for ICE the
     * short-term password as UTF-8), over the message up to the attribute, with the length
     * field counting up to its end. False when absent.
     */
    public boolean verifyMessageIntegrity(byte[] key) {
        if (integrityAt < 0 || key == null) {
            return false;
        }
        byte[] expected = integrity(key, raw, integrityAt);
        return MessageDigest.isEqual(expected,
                java.util.Arrays.copyOfRange(raw, integrityAt + 4, integrityAt + 4 + INTEGRITY_LENGTH));
    }

    /** Checks FINGERPRINT (RFC 8489 §14.7): CRC-32 of what precedes it XOR 0x5354554e. False when absent. */
    public boolean verifyFingerprint() {
        return fingerprintAt >= 0 && readInt(raw, fingerprintAt + 4) == fingerprint(raw, fingerprintAt);
    }

    /** The message's bytes, a copy. */
    public byte[] toByteArray() {
        return raw.clone();
    }

    @Override
    public String toString() {
        return "StunMessage[method=0x" + Integer.toHexString(method) + ", " + messageClass + ", attributes="
                + attributes.size() + "]";
    }

    private OptionalLong longAttribute(int type) {
        return attribute(type).map(a -> {
            byte[] v = a.value();
            return OptionalLong.of((long) readInt(v, 0) << 32 | (readInt(v, 4) & 0xFFFFFFFFL));
        }).orElse(OptionalLong.empty());
    }

    private Optional<InetSocketAddress> decodeAddress(byte[] v, boolean xor) {
        int family = v[1] & 0xFF;
        int addressLength = family == 1 ? 4 : family == 2 ? 16 : -1;
        if (addressLength < 0 || v.length != 4 + addressLength) {
            return Optional.empty();
        }
        int port = readShort(v, 2);
        byte[] address = java.util.Arrays.copyOfRange(v, 4, 4 + addressLength);
        if (xor) {
            port ^= MAGIC_COOKIE >>> 16;
            xorAddress(address, transactionId);
        }
        try {
            return Optional.of(new InetSocketAddress(InetAddress.getByAddress(address), port));
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    /** XORs an address with the magic cookie, and for IPv6 the transaction id (RFC 8489 §14.2). */
    private static void xorAddress(byte[] address, byte[] transactionId) {
        for (int i = 0; i < address.length; i++) {
            address[i] ^= i < 4 ? (byte) (MAGIC_COOKIE >>> (24 - 8 * i)) : transactionId[i - 4];
        }
    }

    private static byte[] integrity(byte[] key, byte[] message, int integrityAt) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(key.length == 0 ? new byte[1] : key, "HmacSHA1"));
            int adjusted = integrityAt + 4 + INTEGRITY_LENGTH - HEADER_LENGTH;
            mac.update(message, 0, 2);
            mac.update((byte) (adjusted >>> 8));
            mac.update((byte) adjusted);
            mac.update(message, 4, integrityAt - 4);
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA1 is not available", e);
        }
    }

    /** Assumes FINGERPRINT is the last attribute, so the length field already counts it. */
    private static int fingerprint(byte[] message, int fingerprintAt) {
        CRC32 crc = new CRC32();
        crc.update(message, 0, fingerprintAt);
        return (int) crc.getValue() ^ FINGERPRINT_XOR;
    }

    static int methodOf(int type) {
        return (type & 0x000F) | ((type & 0x00E0) >>> 1) | ((type & 0x3E00) >>> 2);
    }

    static StunClass classOf(int type) {
        return StunClass.fromBits(((type >>> 4) & 0b01) | ((type >>> 7) & 0b10));
    }

    static int messageType(int method, StunClass cls) {
        return (method & 0x000F) | ((method & 0x0070) << 1) | ((method & 0x0F80) << 2)
                | ((cls.bits() & 0b01) << 4) | ((cls.bits() & 0b10) << 7);
    }

    static int readShort(byte[] b, int at) {
        return (b[at] & 0xFF) << 8 | (b[at + 1] & 0xFF);
    }

    static int readInt(byte[] b, int at) {
        return (b[at] & 0xFF) << 24 | (b[at + 1] & 0xFF) << 16 | (b[at + 2] & 0xFF) << 8 | (b[at + 3] & 0xFF);
    }

    /** Writes a STUN message: attributes in the order added, then MESSAGE-INTEGRITY and FINGERPRINT. */
    public static final class Builder {
        private final int method;
        private final StunClass messageClass;
        private final byte[] transactionId;
        private final List<StunAttribute> attributes = new ArrayList<>();
        private byte[] integrityKey;
        private boolean fingerprint;
        private byte padding;

        private Builder(int method, StunClass messageClass, byte[] transactionId) {
            if (method < 0 || method > 0xFFF) {
                throw new IllegalArgumentException("STUN methods are 12 bits: " + method);
            }
            Objects.requireNonNull(messageClass, "messageClass");
            if (transactionId == null || transactionId.length != TRANSACTION_ID_LENGTH) {
                throw new IllegalArgumentException("a transaction id is 12 bytes");
            }
            this.method = method;
            this.messageClass = messageClass;
            this.transactionId = transactionId.clone();
        }

        public Builder attribute(int type, byte[] value) {
            if (type == StunAttributeType.MESSAGE_INTEGRITY || type == StunAttributeType.FINGERPRINT) {
                throw new IllegalArgumentException("use messageIntegrity(key) and fingerprint()");
            }
            attributes.add(new StunAttribute(type, value));
            return this;
        }

        public Builder username(String username) {
            return attribute(StunAttributeType.USERNAME, username.getBytes(StandardCharsets.UTF_8));
        }

        public Builder software(String software) {
            return attribute(StunAttributeType.SOFTWARE, software.getBytes(StandardCharsets.UTF_8));
        }

        public Builder priority(long priority) {
            byte[] v = new byte[4];
            writeInt(v, 0, (int) priority);
            return attribute(StunAttributeType.PRIORITY, v);
        }

        public Builder useCandidate() {
            return attribute(StunAttributeType.USE_CANDIDATE, new byte[0]);
        }

        public Builder iceControlling(long tieBreaker) {
            return attribute(StunAttributeType.ICE_CONTROLLING, longBytes(tieBreaker));
        }

        public Builder iceControlled(long tieBreaker) {
            return attribute(StunAttributeType.ICE_CONTROLLED, longBytes(tieBreaker));
        }

        public Builder xorMappedAddress(InetSocketAddress address) {
            return attribute(StunAttributeType.XOR_MAPPED_ADDRESS, encodeAddress(address, true));
        }

        public Builder mappedAddress(InetSocketAddress address) {
            return attribute(StunAttributeType.MAPPED_ADDRESS, encodeAddress(address, false));
        }

        public Builder errorCode(int code, String reason) {
            StunErrorCode e = new StunErrorCode(code, reason);
            byte[] text = e.reason().getBytes(StandardCharsets.UTF_8);
            byte[] v = new byte[4 + text.length];
            v[2] = (byte) (e.code() / 100);
            v[3] = (byte) (e.code() % 100);
            System.arraycopy(text, 0, v, 4, text.length);
            return attribute(StunAttributeType.ERROR_CODE, v);
        }

        /** Adds MESSAGE-INTEGRITY keyed with {@code key} (for ICE: the password, UTF-8). */
        public Builder messageIntegrity(byte[] key) {
            this.integrityKey = key.clone();
            return this;
        }

        public Builder fingerprint() {
            this.fingerprint = true;
            return this;
        }

        /** The byte that fills attribute padding; only to reproduce vectors padded with spaces. */
        Builder paddingByte(byte value) {
            this.padding = value;
            return this;
        }

        public byte[] build() {
            int length = HEADER_LENGTH;
            for (StunAttribute a : attributes) {
                length += 4 + ((a.length() + 3) & ~3);
            }
            int integrityAt = length;
            if (integrityKey != null) {
                length += 4 + INTEGRITY_LENGTH;
            }
            int fingerprintAt = length;
            if (fingerprint) {
                length += 8;
            }
            if (length - HEADER_LENGTH > 0xFFFF) {
                throw new IllegalStateException("STUN message too long: " + length);
            }
            byte[] out = new byte[length];
            writeShort(out, 0, messageType(method, messageClass));
            writeInt(out, 4, MAGIC_COOKIE);
            System.arraycopy(transactionId, 0, out, 8, TRANSACTION_ID_LENGTH);
            int pos = HEADER_LENGTH;
            for (StunAttribute a : attributes) {
                writeShort(out, pos, a.type());
                writeShort(out, pos + 2, a.length());
                for (int i = 0; i < a.length(); i++) {
                    out[pos + 4 + i] = a.valueAt(i);
                }
                int padded = (a.length() + 3) & ~3;
                for (int i = a.length(); i < padded; i++) {
                    out[pos + 4 + i] = padding;
                }
                pos += 4 + padded;
            }
            if (integrityKey != null) {
                writeShort(out, integrityAt, StunAttributeType.MESSAGE_INTEGRITY);
                writeShort(out, integrityAt + 2, INTEGRITY_LENGTH);
                byte[] mac = integrity(integrityKey, out, integrityAt);
                System.arraycopy(mac, 0, out, integrityAt + 4, INTEGRITY_LENGTH);
            }
            writeShort(out, 2, length - HEADER_LENGTH);
            if (fingerprint) {
                writeShort(out, fingerprintAt, StunAttributeType.FINGERPRINT);
                writeShort(out, fingerprintAt + 2, 4);
                writeInt(out, fingerprintAt + 4, StunMessage.fingerprint(out, fingerprintAt));
            }
            return out;
        }

        private byte[] encodeAddress(InetSocketAddress address, boolean xor) {
            InetAddress ip = address.getAddress();
            if (ip == null) {
                throw new IllegalArgumentException("unresolved address: " + address);
            }
            byte[] bytes = ip.getAddress();
            byte[] v = new byte[4 + bytes.length];
            v[1] = (byte) (ip instanceof Inet4Address ? 1 : 2);
            int port = address.getPort();
            if (xor) {
                port ^= MAGIC_COOKIE >>> 16;
                xorAddress(bytes, transactionId);
            }
            writeShort(v, 2, port);
            System.arraycopy(bytes, 0, v, 4, bytes.length);
            return v;
        }

        private static byte[] longBytes(long value) {
            byte[] v = new byte[8];
            writeInt(v, 0, (int) (value >>> 32));
            writeInt(v, 4, (int) value);
            return v;
        }

        private static void writeShort(byte[] b, int at, int v) {
            b[at] = (byte) (v >>> 8);
            b[at + 1] = (byte) v;
        }

        private static void writeInt(byte[] b, int at, int v) {
            b[at] = (byte) (v >>> 24);
            b[at + 1] = (byte) (v >>> 16);
            b[at + 2] = (byte) (v >>> 8);
            b[at + 3] = (byte) v;
        }
    }
}
