package dev.convene.media.transport.srtp;

import java.util.Objects;

/**
 * SRTP and SRTCP (RFC 3711, RFC 7714) for one direction of one transport: create one to
 * protect what we send and another to unprotect what we receive.
 *
 * <p>Every method works in place on {@code buf[off, off+len)} and returns the new length, or
 * a negative {@link SrtpError} code for a packet it cannot process; it never throws for a bad
 * packet. {@code protect*} writes its tag (and the SRTCP index) after the packet, so the
 * caller must leave {@link SrtpProfile#rtpOverhead()} / {@link SrtpProfile#rtcpOverhead()}
 * spare bytes there. Per-SSRC state (rollover counter, highest index, replay windows, SRTCP
 * index) is created on the first packet of an SSRC: when protecting, at once; when
 * unprotecting, only once that packet has authenticated, so garbage creates no state.
 *
 * <p>Not thread-safe, by design: a context belongs to the event loop its transport is pinned
 * to, and reuses its ciphers, MACs and scratch buffers for every packet.
 *
 * <p>Protecting an index again (the same SSRC and sequence number twice) is refused with
 * {@link SrtpError#REPLAYED}, as libsrtp does: with GCM it would reuse a nonce. Retransmit the
 * protected bytes you kept, or use RTX.
 */
public final class SrtpContext {
    /** Indices remembered below the highest, per SSRC (RFC 3711 asks for at least 64). */
    public static final int DEFAULT_REPLAY_WINDOW = 1024;
    /** SSRCs one context keeps state for; beyond that new SSRCs are refused. */
    public static final int MAX_STREAMS = 1024;

    private static final int RTP_HEADER = 12;
    private static final int RTCP_HEADER = 8;

    private final SrtpProfile profile;
    private final PacketTransform transform;
    private final StreamTable streams = new StreamTable(MAX_STREAMS);
    private final int windowSize;

    /** A context keyed with a master key and salt, e.g. one half of {@link SrtpKeys}. */
    public SrtpContext(SrtpProfile profile, byte[] masterKey, byte[] masterSalt) {
        this(profile, masterKey, masterSalt, DEFAULT_REPLAY_WINDOW);
    }

    /** As above, with a replay window of {@code replayWindow} indices (a power of two, ≥ 64). */
    public SrtpContext(SrtpProfile profile, byte[] masterKey, byte[] masterSalt, int replayWindow) {
        this(profile, keys(profile, masterKey, masterSalt, false), keys(profile, masterKey, masterSalt, true),
                replayWindow);
    }

    SrtpContext(SrtpProfile profile, SessionKeys rtp, SessionKeys rtcp, int replayWindow) {
        this.profile = Objects.requireNonNull(profile, "profile");
        new ReplayWindow(replayWindow); // validates the size before any packet
        this.windowSize = replayWindow;
        this.transform = profile.isAead()
                ? new AesGcmTransform(rtp, rtcp)
                : new AesCmTransform(profile, rtp, rtcp);
    }

    /** A context on session keys given directly, skipping derivation (the RFC 7714 vectors). */
    static SrtpContext withSessionKeys(SrtpProfile profile, SessionKeys rtp, SessionKeys rtcp) {
        return new SrtpContext(profile, rtp, rtcp, DEFAULT_REPLAY_WINDOW);
    }

    public SrtpProfile profile() {
        return profile;
    }

    /** Encrypts and authenticates an RTP packet; returns its SRTP length or an {@link SrtpError}. */
    public int protectRtp(byte[] buf, int off, int len) {
        if (!inBounds(buf, off, len)) {
            return SrtpError.MALFORMED;
        }
        int hdr = rtpHeaderLength(buf, off, len);
        if (hdr < 0) {
            return SrtpError.MALFORMED;
        }
        if (buf.length - off - len < profile.rtpOverhead()) {
            return SrtpError.BUFFER_TOO_SMALL;
        }
        int ssrc = readInt(buf, off + 8);
        SrtpStream stream = streamFor(ssrc);
        if (stream == null) {
            return SrtpError.TOO_MANY_STREAMS;
        }
        long index = SrtpStream.estimateIndex(stream, readShort(buf, off + 2));
        if (index > SrtpStream.MAX_RTP_INDEX) {
            return SrtpError.INDEX_EXHAUSTED;
        }
        if (index < 0 || !stream.rtpWindow.isFresh(index)) {
            return SrtpError.REPLAYED;
        }
        int n = transform.protectRtp(buf, off, len, hdr, ssrc, index);
        if (n >= 0) {
            stream.rtpWindow.accept(index);
        }
        return n;
    }

    /** Verifies and decrypts an SRTP packet; returns the RTP length or an {@link SrtpError}. */
    public int unprotectRtp(byte[] buf, int off, int len) {
        if (!inBounds(buf, off, len) || len < RTP_HEADER + profile.rtpAuthTagLength()) {
            return SrtpError.MALFORMED;
        }
        int hdr = rtpHeaderLength(buf, off, len - profile.rtpAuthTagLength());
        if (hdr < 0) {
            return SrtpError.MALFORMED;
        }
        int ssrc = readInt(buf, off + 8);
        SrtpStream stream = streams.get(ssrc);
        long index = SrtpStream.estimateIndex(stream, readShort(buf, off + 2));
        if (index > SrtpStream.MAX_RTP_INDEX) {
            return SrtpError.INDEX_EXHAUSTED;
        }
        if (index < 0 || (stream != null && !stream.rtpWindow.isFresh(index))) {
            return SrtpError.REPLAYED;
        }
        if (stream == null && streams.size() >= MAX_STREAMS) {
            return SrtpError.TOO_MANY_STREAMS;
        }
        int n = transform.unprotectRtp(buf, off, len, hdr, ssrc, index);
        if (n >= 0) {
            if (stream == null) {
                stream = newStream(ssrc);
            }
            stream.rtpWindow.accept(index);
        }
        return n;
    }

    /** Encrypts and authenticates a (compound) RTCP packet; returns its SRTCP length or an error. */
    public int protectRtcp(byte[] buf, int off, int len) {
        if (!inBounds(buf, off, len) || len < RTCP_HEADER || (buf[off] & 0xC0) != 0x80) {
            return SrtpError.MALFORMED;
        }
        if (buf.length - off - len < profile.rtcpOverhead()) {
            return SrtpError.BUFFER_TOO_SMALL;
        }
        int ssrc = readInt(buf, off + 4);
        SrtpStream stream = streamFor(ssrc);
        if (stream == null) {
            return SrtpError.TOO_MANY_STREAMS;
        }
        if (stream.nextRtcpIndex > SrtpStream.MAX_RTCP_INDEX) {
            return SrtpError.INDEX_EXHAUSTED;
        }
        int n = transform.protectRtcp(buf, off, len, ssrc, (int) stream.nextRtcpIndex);
        if (n >= 0) {
            stream.nextRtcpIndex++;
        }
        return n;
    }

    /** Verifies and decrypts an SRTCP packet (E flag set or clear); returns the RTCP length or an error. */
    public int unprotectRtcp(byte[] buf, int off, int len) {
        if (!inBounds(buf, off, len) || len < RTCP_HEADER + 4 + profile.rtcpAuthTagLength()
                || (buf[off] & 0xC0) != 0x80) {
            return SrtpError.MALFORMED;
        }
        int ssrc = readInt(buf, off + 4);
        int trailer = readInt(buf, off + len - transform.rtcpTrailerFromEnd());
        boolean encrypted = trailer < 0;
        int index = trailer & 0x7FFFFFFF;
        SrtpStream stream = streams.get(ssrc);
        if (stream != null && !stream.rtcpWindow.isFresh(index)) {
            return SrtpError.REPLAYED;
        }
        if (stream == null && streams.size() >= MAX_STREAMS) {
            return SrtpError.TOO_MANY_STREAMS;
        }
        int n = transform.unprotectRtcp(buf, off, len, ssrc, index, encrypted);
        if (n >= 0) {
            if (stream == null) {
                stream = newStream(ssrc);
            }
            stream.rtcpWindow.accept(index);
        }
        return n;
    }

    /** Sets the SRTCP index the next protected packet of {@code ssrc} gets (test vectors). */
    void setNextRtcpIndex(int ssrc, long index) {
        streamFor(ssrc).nextRtcpIndex = index;
    }

    private SrtpStream streamFor(int ssrc) {
        SrtpStream stream = streams.get(ssrc);
        return stream != null ? stream : newStream(ssrc);
    }

    private SrtpStream newStream(int ssrc) {
        SrtpStream stream = new SrtpStream(windowSize);
        return streams.add(ssrc, stream) ? stream : null;
    }

    /**
     * Length of the RTP header at {@code off} (12 + 4·CC + the extension), or -1 when it is not
     * version 2 or does not fit in {@code len}. Kept here rather than in media-core's packet
     * views so that SRTP depends on nothing above it.
     */
    private static int rtpHeaderLength(byte[] buf, int off, int len) {
        if (len < RTP_HEADER) {
            return -1;
        }
        int b0 = buf[off] & 0xFF;
        if ((b0 >>> 6) != 2) {
            return -1;
        }
        int hdr = RTP_HEADER + 4 * (b0 & 0x0F);
        if ((b0 & 0x10) != 0) {
            if (hdr + 4 > len) {
                return -1;
            }
            hdr += 4 + 4 * readShort(buf, off + hdr + 2);
        }
        return hdr <= len ? hdr : -1;
    }

    private static boolean inBounds(byte[] buf, int off, int len) {
        return buf != null && off >= 0 && len >= 0 && off <= buf.length - len;
    }

    private static int readShort(byte[] b, int at) {
        return (b[at] & 0xFF) << 8 | (b[at + 1] & 0xFF);
    }

    private static int readInt(byte[] b, int at) {
        return PacketTransform.readInt(b, at);
    }

    private static SessionKeys keys(SrtpProfile profile, byte[] masterKey, byte[] masterSalt, boolean rtcp) {
        Objects.requireNonNull(profile, "profile");
        if (masterKey == null || masterKey.length != profile.keyLength()) {
            throw new IllegalArgumentException(profile + " needs a " + profile.keyLength() + "-byte master key");
        }
        if (masterSalt == null || masterSalt.length != profile.saltLength()) {
            throw new IllegalArgumentException(profile + " needs a " + profile.saltLength() + "-byte master salt");
        }
        return SessionKeys.derive(profile, masterKey, masterSalt, rtcp);
    }
}
