package dev.convene.media.transport.stun;

import dev.convene.media.transport.srtp.HmacSha1;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * Reads an ICE connectivity check (a STUN Binding request) in place and writes its success
 * response into the caller's array, allocating nothing once keyed: the consent checks every
 * peer sends every few seconds then cost the media loop no garbage (ADR 0027). It accepts only
 * what {@link StunMessage#parse} accepts, with the same rules (attributes after
 * MESSAGE-INTEGRITY ignored but FINGERPRINT, nothing after FINGERPRINT, plausible lengths,
 * first occurrence wins); anything else, and every error answer, is left to the general
 * {@link StunMessage} path. Not thread-safe: one per ICE agent, on its loop.
 */
public final class BindingCheck {

    private static final int BINDING_REQUEST = 0x0001;
    private static final int BINDING_SUCCESS = 0x0101;

    private final CRC32 crc = new CRC32();
    private final byte[] lengthField = new byte[2];
    private final byte[] mac = new byte[HmacSha1.LENGTH];
    private HmacSha1 hmac;
    private String keyedWith;

    private byte[] buf;
    private int off;
    private int usernameAt;
    private int usernameLength;
    private int integrityAt;
    private boolean useCandidate;
    private boolean iceControlled;

    /**
     * Reads {@code buf[off, off+len)}: true for a well-formed Binding request whose FINGERPRINT
     * is right and that carries USERNAME and MESSAGE-INTEGRITY (not verified yet: see
     * {@link #integrityValid}). The bytes must stay unchanged until the answer is written.
     */
    public boolean read(byte[] buf, int off, int len) {
        if (!StunMessage.looksLikeStun(buf, off, len) || StunMessage.readShort(buf, off) != BINDING_REQUEST) {
            return false;
        }
        int bodyLength = StunMessage.readShort(buf, off + 2);
        if ((bodyLength & 3) != 0 || StunMessage.HEADER_LENGTH + bodyLength != len) {
            return false;
        }
        usernameAt = -1;
        integrityAt = -1;
        useCandidate = false;
        iceControlled = false;
        int fingerprintAt = -1;
        int attributes = 0;
        int pos = StunMessage.HEADER_LENGTH;
        while (pos < len) {
            if (fingerprintAt >= 0 || attributes >= StunMessage.MAX_ATTRIBUTES || pos + 4 > len) {
                return false;
            }
            int type = StunMessage.readShort(buf, off + pos);
            int length = StunMessage.readShort(buf, off + pos + 2);
            int padded = (length + 3) & ~3;
            if (padded > len - pos - 4 || !StunMessage.plausibleLength(type, length)) {
                return false;
            }
            if (type == StunAttributeType.FINGERPRINT) {
                fingerprintAt = pos;
            } else if (integrityAt >= 0) {
                pos += 4 + padded;
                continue;
            } else if (type == StunAttributeType.MESSAGE_INTEGRITY) {
                integrityAt = pos;
            } else if (type == StunAttributeType.USERNAME && usernameAt < 0) {
                usernameAt = pos + 4;
                usernameLength = length;
            } else if (type == StunAttributeType.USE_CANDIDATE) {
                useCandidate = true;
            } else if (type == StunAttributeType.ICE_CONTROLLED) {
                iceControlled = true;
            }
            attributes++;
            pos += 4 + padded;
        }
        if (fingerprintAt < 0 || usernameAt < 0 || integrityAt < 0) {
            return false;
        }
        crc.reset();
        crc.update(buf, off, fingerprintAt);
        if (StunMessage.readInt(buf, off + fingerprintAt + 4) != ((int) crc.getValue() ^ StunMessage.FINGERPRINT_XOR)) {
            return false;
        }
        this.buf = buf;
        this.off = off;
        return true;
    }

    /**
     * Whether USERNAME is {@code localUfrag:remoteUfrag} byte for byte (UTF-8); any remote part
     * when {@code remoteUfrag} is null.
     */
    public boolean usernameIs(byte[] localUfrag, byte[] remoteUfrag) {
        int local = localUfrag.length;
        if (usernameLength < local + 1 || buf[off + usernameAt + local] != ':'
                || remoteUfrag != null && usernameLength != local + 1 + remoteUfrag.length) {
            return false;
        }
        for (int i = 0; i < local; i++) {
            if (buf[off + usernameAt + i] != localUfrag[i]) {
                return false;
            }
        }
        for (int i = 0; remoteUfrag != null && i < remoteUfrag.length; i++) {
            if (buf[off + usernameAt + local + 1 + i] != remoteUfrag[i]) {
                return false;
            }
        }
        return true;
    }

    public boolean useCandidate() {
        return useCandidate;
    }

    public boolean iceControlled() {
        return iceControlled;
    }

    /** Checks MESSAGE-INTEGRITY keyed with {@code password} (UTF-8), as {@link StunMessage#verifyMessageIntegrity}. */
    public boolean integrityValid(String password) {
        sign(buf, off, integrityAt, password);
        int diff = 0;
        for (int i = 0; i < HmacSha1.LENGTH; i++) {
            diff |= mac[i] ^ buf[off + integrityAt + 4 + i];
        }
        return diff == 0;
    }

    /**
     * Writes the success response to the check last read — XOR-MAPPED-ADDRESS of {@code address}
     * (4 or 16 bytes) and {@code port}, MESSAGE-INTEGRITY keyed with {@code password},
     * FINGERPRINT — into {@code out} from 0, as {@link StunMessage.Builder} would.
     *
     * @return its length
     */
    public int writeSuccess(byte[] out, byte[] address, int port, String password) {
        int addressAt = StunMessage.HEADER_LENGTH;
        int integrity = addressAt + 4 + 4 + address.length;
        int fingerprint = integrity + 4 + StunMessage.INTEGRITY_LENGTH;
        int length = fingerprint + 8;
        writeShort(out, 0, BINDING_SUCCESS);
        writeShort(out, 2, length - StunMessage.HEADER_LENGTH);
        System.arraycopy(buf, off + 4, out, 4, 4 + StunMessage.TRANSACTION_ID_LENGTH);
        writeShort(out, addressAt, StunAttributeType.XOR_MAPPED_ADDRESS);
        writeShort(out, addressAt + 2, 4 + address.length);
        out[addressAt + 4] = 0;
        out[addressAt + 5] = (byte) (address.length == 4 ? 1 : 2);
        writeShort(out, addressAt + 6, port ^ (StunMessage.MAGIC_COOKIE >>> 16));
        for (int i = 0; i < address.length; i++) {
            // XOR with the magic cookie and, for IPv6, the transaction id (RFC 8489 §14.2): out[4..20).
            out[addressAt + 8 + i] = (byte) (address[i] ^ out[4 + i]);
        }
        writeShort(out, integrity, StunAttributeType.MESSAGE_INTEGRITY);
        writeShort(out, integrity + 2, StunMessage.INTEGRITY_LENGTH);
        sign(out, 0, integrity, password);
        System.arraycopy(mac, 0, out, integrity + 4, HmacSha1.LENGTH);
        writeShort(out, fingerprint, StunAttributeType.FINGERPRINT);
        writeShort(out, fingerprint + 2, 4);
        crc.reset();
        crc.update(out, 0, fingerprint);
        int value = (int) crc.getValue() ^ StunMessage.FINGERPRINT_XOR;
        writeShort(out, fingerprint + 4, value >>> 16);
        writeShort(out, fingerprint + 6, value);
        return length;
    }

    /** HMAC-SHA1 of {@code msg[off, off+integrityAt)} with the length field counting MESSAGE-INTEGRITY, into {@link #mac}. */
    private void sign(byte[] msg, int off, int integrityAt, String password) {
        if (!password.equals(keyedWith)) {
            hmac = new HmacSha1(password.getBytes(StandardCharsets.UTF_8));
            keyedWith = password;
        }
        int adjusted = integrityAt + 4 + StunMessage.INTEGRITY_LENGTH - StunMessage.HEADER_LENGTH;
        lengthField[0] = (byte) (adjusted >>> 8);
        lengthField[1] = (byte) adjusted;
        hmac.update(msg, off, 2);
        hmac.update(lengthField, 0, 2);
        hmac.update(msg, off + 4, integrityAt - 4);
        hmac.doFinal(mac, 0);
    }

    private static void writeShort(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 8);
        b[at + 1] = (byte) v;
    }
}
