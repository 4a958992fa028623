package dev.convene.control;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import javax.net.ssl.SSLContext;

/**
 * How a signaling node reaches one SFU node's control endpoint.
 *
 * @param nodeId the SFU node's id as the registry names it; the SFU confirms it in {@code hello}
 * @param controlUrl e.g. {@code ws://10.0.0.7:7070/v1/sfu-control}
 * @param callerId this signaling node's id, the {@code sub} of its tokens (for the SFU's logs)
 * @param key the shared secret tokens are signed with
 * @param callTimeout how long a call ({@code join}, {@code onPublisherOffer}, ...) waits for the
 *     SFU's reply, and how long a {@code join} waits for a connection
 * @param heartbeatInterval how often a {@code ping} is sent
 * @param heartbeatTimeout a connection on which nothing arrives for this long is declared lost
 * @param reconnectMin first delay before reconnecting after a loss; doubles on each failure
 * @param reconnectMax the longest delay between reconnection attempts
 * @param tls for {@code wss://}: whom to trust and the certificate to present (mutual TLS); null
 *     for {@code ws://}
 */
public record RemoteSfuConfig(String nodeId, URI controlUrl, String callerId, ControlKey key, Duration callTimeout,
        Duration heartbeatInterval, Duration heartbeatTimeout, Duration reconnectMin, Duration reconnectMax,
        SSLContext tls) {

    public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofMillis(250);
    /**
     * As the SFU's own (ADR 0032): an SFU busy with a burst of joins and handshakes may answer pings
     * late, and a lost connection detaches every session on it. A stopped or cut-off SFU is found
     * sooner by the media probe and the registry (ADR 0030), a killed one by its refused reconnect.
     */
    public static final Duration DEFAULT_HEARTBEAT_TIMEOUT = Duration.ofMillis(3_000);
    public static final Duration DEFAULT_RECONNECT_MIN = Duration.ofMillis(100);
    public static final Duration DEFAULT_RECONNECT_MAX = Duration.ofSeconds(5);

    public RemoteSfuConfig {
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(controlUrl, "controlUrl");
        Objects.requireNonNull(callerId, "callerId");
        Objects.requireNonNull(key, "key");
        positive(callTimeout, "callTimeout");
        positive(heartbeatInterval, "heartbeatInterval");
        positive(heartbeatTimeout, "heartbeatTimeout");
        positive(reconnectMin, "reconnectMin");
        positive(reconnectMax, "reconnectMax");
        String scheme = controlUrl.getScheme();
        if (!"ws".equals(scheme) && !"wss".equals(scheme)) {
            throw new IllegalArgumentException("controlUrl must be ws:// or wss://, not " + controlUrl);
        }
        if ("wss".equals(scheme) != (tls != null)) {
            throw new IllegalArgumentException("a wss:// control URL needs a TLS context and a ws:// one none: " + controlUrl);
        }
        if (heartbeatTimeout.compareTo(heartbeatInterval) <= 0) {
            throw new IllegalArgumentException("heartbeatTimeout must be longer than heartbeatInterval");
        }
        if (reconnectMax.compareTo(reconnectMin) < 0) {
            throw new IllegalArgumentException("reconnectMax must not be shorter than reconnectMin");
        }
    }

    /**
     * Defaults: 5 s calls, ping every 250 ms, lost after 3 s of silence (a stopped SFU is declared
     * dead sooner, by the media probe, ADR 0030), reconnect 100 ms to 5 s.
     */
    public static RemoteSfuConfig of(String nodeId, URI controlUrl, String callerId, ControlKey key) {
        return new RemoteSfuConfig(nodeId, controlUrl, callerId, key, DEFAULT_CALL_TIMEOUT, DEFAULT_HEARTBEAT_INTERVAL,
                DEFAULT_HEARTBEAT_TIMEOUT, DEFAULT_RECONNECT_MIN, DEFAULT_RECONNECT_MAX, null);
    }

    /** As {@link #of}, over {@code wss://} with {@code tls}. */
    public static RemoteSfuConfig of(String nodeId, URI controlUrl, String callerId, ControlKey key, SSLContext tls) {
        return new RemoteSfuConfig(nodeId, controlUrl, callerId, key, DEFAULT_CALL_TIMEOUT, DEFAULT_HEARTBEAT_INTERVAL,
                DEFAULT_HEARTBEAT_TIMEOUT, DEFAULT_RECONNECT_MIN, DEFAULT_RECONNECT_MAX, tls);
    }

    public RemoteSfuConfig withCallTimeout(Duration timeout) {
        return new RemoteSfuConfig(nodeId, controlUrl, callerId, key, timeout, heartbeatInterval, heartbeatTimeout,
                reconnectMin, reconnectMax, tls);
    }

    private static void positive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive");
        }
    }
}
