package dev.convene.sfu.net;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What the ICE-TCP port tolerates, and when it gives up on a connection.
 *
 * <p>A TCP connection costs the SFU a socket and a frame buffer for as long as it stays open,
 * and unlike UDP a peer can hold one open while sending nothing. So a connection must prove
 * itself (a valid ICE check) within {@code bindTimeout}, must keep sending (checks or media)
 * within {@code idleTimeout}, must read what we send within {@code unwritableTimeout}, and is
 * closed after {@code maxRejectedFrames} frames that belong to no transport.
 *
 * @param maxConnections open connections at most; more are closed as soon as they are accepted
 * @param maxFrame longest frame delivered (as the UDP port's largest datagram); longer ones are skipped
 * @param bindTimeout how long a connection may stay without a successful ICE check
 * @param idleTimeout how long a connection may stay silent once bound; well above the 2–5 s
 *     interval of browsers' consent checks
 * @param unwritableTimeout how long the peer may leave our send buffer full (a dead or stalled
 *     peer) before the connection is closed; packets are dropped meanwhile
 * @param maxRejectedFrames frames of an unbound connection that reach no transport before it is closed
 * @param writeBufferLow bytes queued below which a connection is writable again
 * @param writeBufferHigh bytes queued above which new packets to the connection are dropped
 */
public record TcpLimits(int maxConnections, int maxFrame, Duration bindTimeout, Duration idleTimeout,
        Duration unwritableTimeout, int maxRejectedFrames, int writeBufferLow, int writeBufferHigh) {

    public static final TcpLimits DEFAULTS = new TcpLimits(4096, MediaSocket.MAX_DATAGRAM, Duration.ofSeconds(10),
            Duration.ofSeconds(30), Duration.ofSeconds(10), 8, 64 * 1024, 256 * 1024);

    public TcpLimits {
        Objects.requireNonNull(bindTimeout, "bindTimeout");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(unwritableTimeout, "unwritableTimeout");
        if (maxConnections < 1 || maxFrame < 1 || maxFrame > 0xFFFF || maxRejectedFrames < 1) {
            throw new IllegalArgumentException("TCP limits must be positive (maxFrame at most 65535)");
        }
        if (writeBufferLow < 1 || writeBufferHigh < writeBufferLow) {
            throw new IllegalArgumentException("write buffer marks must satisfy 0 < low <= high");
        }
    }

    /**
     * Why a connection in this state should be closed now, if it should.
     *
     * @param bound whether a valid ICE check tied it to a transport
     * @param lastFrameNanos when its last frame arrived (its opening time before any)
     * @param unwritable whether its send buffer is full now
     * @param unwritableSinceNanos since when it is full (ignored when it is not)
     */
    public Optional<String> closeReason(boolean bound, long openedNanos, long lastFrameNanos, boolean unwritable,
            long unwritableSinceNanos, long nowNanos) {
        if (!bound && nowNanos - openedNanos >= bindTimeout.toNanos()) {
            return Optional.of("no_ice_check");
        }
        if (nowNanos - lastFrameNanos >= idleTimeout.toNanos()) {
            return Optional.of("idle");
        }
        if (unwritable && nowNanos - unwritableSinceNanos >= unwritableTimeout.toNanos()) {
            return Optional.of("not_reading");
        }
        return Optional.empty();
    }
}
