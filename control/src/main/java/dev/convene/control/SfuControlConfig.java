package dev.convene.control;

import dev.convene.tls.ServerTls;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How an SFU node serves its control endpoint.
 *
 * @param bindHost address the control HTTP port listens on (an internal interface in production)
 * @param port the control HTTP port; 0 picks a free one (tests)
 * @param keys shared secrets a caller's token may be signed with (any of them verifies)
 * @param heartbeatTimeout a connection that sends nothing (not even its {@code ping}) for this long
 *     is closed with 4408 and its sessions are closed
 * @param clockSkew leeway when checking a token's {@code iat}/{@code exp} against this node's clock
 * @param tls the endpoint's certificate and the authorities callers' certificates must chain to
 *     (mutual TLS, ADR 0015); null serves plain {@code ws://} (tests of the protocol itself)
 * @param orphanLease how long the sessions of a lost connection stay on the node, media flowing,
 *     for another connection to {@code attach} them; then they are closed
 */
public record SfuControlConfig(String bindHost, int port, List<ControlKey> keys, Duration heartbeatTimeout,
        Duration clockSkew, ServerTls tls, Duration orphanLease) {

    public static final int DEFAULT_PORT = 7070;
    public static final Duration DEFAULT_HEARTBEAT_TIMEOUT = Duration.ofSeconds(3);
    public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofSeconds(30);
    /** The signaling side's default resume grace (30 s) and a margin, so signaling decides first. */
    public static final Duration DEFAULT_ORPHAN_LEASE = Duration.ofSeconds(35);

    public SfuControlConfig(String bindHost, int port, List<ControlKey> keys, Duration heartbeatTimeout,
            Duration clockSkew) {
        this(bindHost, port, keys, heartbeatTimeout, clockSkew, (ServerTls) null, DEFAULT_ORPHAN_LEASE);
    }

    /** Plain {@code ws://} with the given orphan lease (tests of the protocol itself). */
    public SfuControlConfig(String bindHost, int port, List<ControlKey> keys, Duration heartbeatTimeout,
            Duration clockSkew, Duration orphanLease) {
        this(bindHost, port, keys, heartbeatTimeout, clockSkew, null, orphanLease);
    }

    public SfuControlConfig(String bindHost, int port, List<ControlKey> keys, Duration heartbeatTimeout,
            Duration clockSkew, ServerTls tls) {
        this(bindHost, port, keys, heartbeatTimeout, clockSkew, tls, DEFAULT_ORPHAN_LEASE);
    }

    public SfuControlConfig {
        Objects.requireNonNull(bindHost, "bindHost");
        keys = List.copyOf(Objects.requireNonNull(keys, "keys"));
        Objects.requireNonNull(heartbeatTimeout, "heartbeatTimeout");
        Objects.requireNonNull(clockSkew, "clockSkew");
        Objects.requireNonNull(orphanLease, "orphanLease");
        if (orphanLease.toMillis() < 1) {
            throw new IllegalArgumentException("orphanLease must be at least a millisecond");
        }
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("the control endpoint needs at least one key");
        }
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        if (heartbeatTimeout.isNegative() || heartbeatTimeout.isZero()) {
            throw new IllegalArgumentException("heartbeatTimeout must be positive");
        }
        if (clockSkew.isNegative()) {
            throw new IllegalArgumentException("clockSkew must not be negative");
        }
    }

    /** Defaults for everything but where to listen and the keys. */
    public static SfuControlConfig of(String bindHost, int port, List<ControlKey> keys) {
        return new SfuControlConfig(bindHost, port, keys, DEFAULT_HEARTBEAT_TIMEOUT, DEFAULT_CLOCK_SKEW, null,
                DEFAULT_ORPHAN_LEASE);
    }

    public SfuControlConfig withHeartbeatTimeout(Duration timeout) {
        return new SfuControlConfig(bindHost, port, keys, timeout, clockSkew, tls, orphanLease);
    }

    public SfuControlConfig withTls(ServerTls newTls) {
        return new SfuControlConfig(bindHost, port, keys, heartbeatTimeout, clockSkew, newTls, orphanLease);
    }

    public SfuControlConfig withOrphanLease(Duration lease) {
        return new SfuControlConfig(bindHost, port, keys, heartbeatTimeout, clockSkew, tls, lease);
    }
}
