package dev.convene.media.transport.srtp;

/**
 * The keys one direction of SRTP or SRTCP actually uses, derived from the master key
 * (RFC 3711 §4.3). {@code authKey} is empty for the AEAD profiles.
 */
record SessionKeys(byte[] encryptionKey, byte[] salt, byte[] authKey) {

    static final int LABEL_RTP_ENCRYPTION = 0;
    static final int LABEL_RTP_AUTH = 1;
    static final int LABEL_RTP_SALT = 2;
    static final int LABEL_RTCP_ENCRYPTION = 3;
    static final int LABEL_RTCP_AUTH = 4;
    static final int LABEL_RTCP_SALT = 5;

    private static final int HMAC_SHA1_KEY_LENGTH = 20;

    /** Session keys for SRTP ({@code rtcp == false}) or SRTCP, with key_derivation_rate 0. */
    static SessionKeys derive(SrtpProfile profile, byte[] masterKey, byte[] masterSalt, boolean rtcp) {
        int base = rtcp ? LABEL_RTCP_ENCRYPTION : LABEL_RTP_ENCRYPTION;
        byte[] key = prf(masterKey, masterSalt, base, profile.keyLength());
        byte[] salt = prf(masterKey, masterSalt, base + 2, profile.saltLength());
        byte[] auth = profile.isAead() ? new byte[0] : prf(masterKey, masterSalt, base + 1, HMAC_SHA1_KEY_LENGTH);
        return new SessionKeys(key, salt, auth);
    }

    /**
     * The AES-CM PRF of RFC 3711 §4.3.3 with index DIV kdr = 0: the keystream of the master
     * key from IV = (label at octet 7 XOR master salt) * 2^16. A 12-octet AEAD master salt
     * is aligned to the left of the 14-octet field, as libsrtp and therefore browsers do.
     */
    static byte[] prf(byte[] masterKey, byte[] masterSalt, int label, int length) {
        byte[] iv = new byte[16];
        System.arraycopy(masterSalt, 0, iv, 0, Math.min(14, masterSalt.length));
        iv[7] ^= (byte) label;
        byte[] out = new byte[length];
        new AesCtrKeystream(masterKey).xor(iv, out, 0, length);
        return out;
    }
}
