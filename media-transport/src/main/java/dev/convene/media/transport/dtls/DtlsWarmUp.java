package dev.convene.media.transport.dtls;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs DTLS handshakes in memory, our certificate on the server side, so that the first real
 * ones do not pay for class loading and cold code (ADR 0029): an SFU that takes over a killed
 * node's meetings gets every client's handshake at once, and on a fresh JVM the first twenty
 * cost about three times what later ones do. Nothing leaves the process.
 */
public final class DtlsWarmUp {

    private static final Duration EACH_WITHIN = Duration.ofSeconds(10);

    private DtlsWarmUp() {}

    /** What a warm-up did: handshakes completed, and the wall-clock time of the first and the last. */
    public record Result(int handshakes, Duration first, Duration last) {}

    /**
     * Runs {@code handshakes} handshakes one after another, {@code certificate} serving and one
     * throwaway client certificate (the same keys and code paths as a client's: ECDHE, both
     * sides' ECDSA signatures and verifications, the SRTP exporter).
     *
     * @throws IllegalStateException if a handshake fails or takes longer than 10 s
     */
    public static Result run(DtlsCertificate certificate, int handshakes) {
        DtlsCertificate client = DtlsCertificate.generate();
        Duration first = Duration.ZERO;
        Duration last = Duration.ZERO;
        for (int i = 0; i < handshakes; i++) {
            long start = System.nanoTime();
            once(certificate, client);
            last = Duration.ofNanos(System.nanoTime() - start);
            if (i == 0) {
                first = last;
            }
        }
        return new Result(handshakes, first, last);
    }

    private static void once(DtlsCertificate serverCertificate, DtlsCertificate clientCertificate) {
        AtomicReference<DtlsEndpoint> toServer = new AtomicReference<>();
        AtomicReference<DtlsEndpoint> toClient = new AtomicReference<>();
        DtlsEndpoint server = new DtlsEndpoint(DtlsRole.SERVER, serverCertificate,
                (data, off, len) -> toClient.get().receive(data, off, len));
        DtlsEndpoint client = new DtlsEndpoint(DtlsRole.CLIENT, clientCertificate,
                (data, off, len) -> toServer.get().receive(data, off, len));
        toServer.set(server);
        toClient.set(client);
        try (server; client) {
            server.setRemoteFingerprint(clientCertificate.fingerprint());
            client.setRemoteFingerprint(serverCertificate.fingerprint());
            server.start();
            client.start().get(EACH_WITHIN.toMillis(), TimeUnit.MILLISECONDS);
            server.handshakeResult().get(EACH_WITHIN.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during a DTLS warm-up handshake", e);
        } catch (Exception e) {
            throw new IllegalStateException("a DTLS warm-up handshake failed: " + e, e);
        }
    }
}
