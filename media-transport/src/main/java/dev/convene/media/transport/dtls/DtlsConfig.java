package dev.convene.media.transport.dtls;

import dev.convene.media.transport.srtp.SrtpProfile;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadFactory;

/**
 * Settings of one {@link DtlsEndpoint}.
 *
 * @param handshakeTimeout the whole handshake must finish within this, counted from
 *     {@link DtlsEndpoint#start()}; it also bounds the wait for a late SDP fingerprint
 * @param maxDatagramSize the largest datagram the endpoint sends; handshake messages are
 *     fragmented to fit (1200 keeps us under every path MTU WebRTC meets, as browsers do)
 * @param receiveQueueCapacity datagrams buffered between {@link DtlsEndpoint#receive} and the
 *     DTLS thread; beyond it datagrams are dropped and counted, as a full socket buffer would
 * @param srtpProfiles as server: the profiles we accept, best first, the first one the client
 *     also offers wins; as client: the profiles we offer, in this order
 * @param threadFactory gives each endpoint the one thread that runs its handshake and then
 *     reads its post-handshake records until it closes; virtual threads by default
 */
public record DtlsConfig(
        Duration handshakeTimeout,
        int maxDatagramSize,
        int receiveQueueCapacity,
        List<SrtpProfile> srtpProfiles,
        ThreadFactory threadFactory) {

    /** The server's preference order (RFC 7714 GCM first, then the RFC 5764 mandatory profile). */
    public static final List<SrtpProfile> SERVER_PROFILES = List.of(
            SrtpProfile.AEAD_AES_128_GCM,
            SrtpProfile.AES_CM_128_HMAC_SHA1_80,
            SrtpProfile.AES_CM_128_HMAC_SHA1_32);

    /** What our client offers. */
    public static final List<SrtpProfile> CLIENT_PROFILES = List.of(
            SrtpProfile.AEAD_AES_128_GCM,
            SrtpProfile.AES_CM_128_HMAC_SHA1_80);

    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
    public static final int DEFAULT_MAX_DATAGRAM_SIZE = 1200;
    public static final int DEFAULT_RECEIVE_QUEUE_CAPACITY = 64;

    private static final ThreadFactory VIRTUAL_THREADS = Thread.ofVirtual().name("dtls-", 0).factory();

    public DtlsConfig {
        Objects.requireNonNull(handshakeTimeout, "handshakeTimeout");
        Objects.requireNonNull(threadFactory, "threadFactory");
        if (handshakeTimeout.isNegative() || handshakeTimeout.isZero() || handshakeTimeout.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("handshakeTimeout must be positive and fit in int millis: " + handshakeTimeout);
        }
        // Below ~256 bytes the fragmented Certificate message no longer fits sensibly; above 64 KiB is not UDP.
        if (maxDatagramSize < 256 || maxDatagramSize > 65_507) {
            throw new IllegalArgumentException("maxDatagramSize out of range: " + maxDatagramSize);
        }
        if (receiveQueueCapacity < 1) {
            throw new IllegalArgumentException("receiveQueueCapacity must be positive: " + receiveQueueCapacity);
        }
        srtpProfiles = List.copyOf(srtpProfiles);
        if (srtpProfiles.isEmpty() || srtpProfiles.stream().distinct().count() != srtpProfiles.size()) {
            throw new IllegalArgumentException("srtpProfiles must be non-empty and distinct: " + srtpProfiles);
        }
    }

    /** The defaults for a role: 10 s timeout, 1200-byte datagrams, the role's SRTP profiles, virtual threads. */
    public static DtlsConfig defaults(DtlsRole role) {
        return new DtlsConfig(
                DEFAULT_HANDSHAKE_TIMEOUT,
                DEFAULT_MAX_DATAGRAM_SIZE,
                DEFAULT_RECEIVE_QUEUE_CAPACITY,
                role == DtlsRole.SERVER ? SERVER_PROFILES : CLIENT_PROFILES,
                VIRTUAL_THREADS);
    }

    public DtlsConfig withHandshakeTimeout(Duration timeout) {
        return new DtlsConfig(timeout, maxDatagramSize, receiveQueueCapacity, srtpProfiles, threadFactory);
    }

    public DtlsConfig withMaxDatagramSize(int size) {
        return new DtlsConfig(handshakeTimeout, size, receiveQueueCapacity, srtpProfiles, threadFactory);
    }

    public DtlsConfig withReceiveQueueCapacity(int capacity) {
        return new DtlsConfig(handshakeTimeout, maxDatagramSize, capacity, srtpProfiles, threadFactory);
    }

    public DtlsConfig withSrtpProfiles(List<SrtpProfile> profiles) {
        return new DtlsConfig(handshakeTimeout, maxDatagramSize, receiveQueueCapacity, profiles, threadFactory);
    }

    public DtlsConfig withThreadFactory(ThreadFactory factory) {
        return new DtlsConfig(handshakeTimeout, maxDatagramSize, receiveQueueCapacity, srtpProfiles, factory);
    }
}
