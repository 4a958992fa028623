package dev.convene.media.transport.dtls;

/**
 * Cheap structural check of a datagram before it is queued for the DTLS engine: it must be a
 * whole number of DTLS records (RFC 6347 §4.1). Anything else is dropped and counted by the
 * endpoint, so stray bytes that the first-byte demultiplexer let through never reach
 * BouncyCastle's handshake reassembly.
 */
final class DtlsRecords {

    static final int HEADER_LENGTH = 13;
    /** RFC 6347 §4.1: a record's fragment is at most 2^14 + 2048 bytes. */
    static final int MAX_FRAGMENT_LENGTH = (1 << 14) + 2048;
    /** The largest datagram worth accepting: one maximal record. */
    static final int MAX_DATAGRAM_LENGTH = HEADER_LENGTH + MAX_FRAGMENT_LENGTH;

    private static final int CHANGE_CIPHER_SPEC = 20;
    private static final int HEARTBEAT = 24;
    private static final int DTLS_VERSION_MAJOR = 0xFE;

    private DtlsRecords() {}

    /**
     * Whether {@code data[off, off + len)} is one or more complete DTLS 1.x records: content
     * type change_cipher_spec..heartbeat, a DTLS version (major byte 0xFE) and lengths that
     * tile the datagram exactly.
     */
    static boolean isWellFormed(byte[] data, int off, int len) {
        if (len < HEADER_LENGTH || len > MAX_DATAGRAM_LENGTH) {
            return false;
        }
        int pos = off;
        int end = off + len;
        while (pos < end) {
            if (end - pos < HEADER_LENGTH) {
                return false;
            }
            int type = data[pos] & 0xFF;
            if (type < CHANGE_CIPHER_SPEC || type > HEARTBEAT) {
                return false;
            }
            if ((data[pos + 1] & 0xFF) != DTLS_VERSION_MAJOR) {
                return false;
            }
            int length = ((data[pos + 11] & 0xFF) << 8) | (data[pos + 12] & 0xFF);
            if (length == 0 || length > MAX_FRAGMENT_LENGTH || length > end - pos - HEADER_LENGTH) {
                return false;
            }
            pos += HEADER_LENGTH + length;
        }
        return true;
    }
}
