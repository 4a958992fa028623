package dev.convene.media.transport.dtls;

import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntPredicate;

/** A server and a client endpoint joined by an in-memory datagram pipe. */
final class DtlsTestPeers implements AutoCloseable {

    static final DtlsCertificate SERVER_CERT = DtlsCertificate.generate();
    static final DtlsCertificate CLIENT_CERT = DtlsCertificate.generate();
    static final DtlsCertificate OTHER_CERT = DtlsCertificate.generate();

    final DtlsEndpoint server;
    final DtlsEndpoint client;

    private DtlsTestPeers(DtlsEndpoint server, DtlsEndpoint client) {
        this.server = server;
        this.client = client;
    }

    static DtlsTestPeers connected(DtlsConfig serverConfig, DtlsConfig clientConfig) {
        return withLoss(serverConfig, clientConfig, i -> false, i -> false);
    }

    /**
     * Joins two endpoints; {@code dropToClient}/{@code dropToServer} decide by the datagram's
     * index (0-based, per direction) whether the pipe loses it.
     */
    static DtlsTestPeers withLoss(DtlsConfig serverConfig, DtlsConfig clientConfig,
            IntPredicate dropToClient, IntPredicate dropToServer) {
        AtomicReference<DtlsEndpoint> serverRef = new AtomicReference<>();
        AtomicReference<DtlsEndpoint> clientRef = new AtomicReference<>();
        DtlsEndpoint server = new DtlsEndpoint(DtlsRole.SERVER, SERVER_CERT,
                lossy(clientRef, dropToClient), serverConfig);
        DtlsEndpoint client = new DtlsEndpoint(DtlsRole.CLIENT, CLIENT_CERT,
                lossy(serverRef, dropToServer), clientConfig);
        serverRef.set(server);
        clientRef.set(client);
        return new DtlsTestPeers(server, client);
    }

    private static DatagramSender lossy(AtomicReference<DtlsEndpoint> to, IntPredicate drop) {
        int[] index = {0};
        return (data, off, len) -> {
            int i;
            synchronized (index) {
                i = index[0]++;
            }
            if (!drop.test(i)) {
                to.get().receive(data, off, len);
            }
        };
    }

    /** Each side expects the other's real fingerprint. */
    DtlsTestPeers withCorrectFingerprints() {
        server.setRemoteFingerprint(CLIENT_CERT.fingerprint());
        client.setRemoteFingerprint(SERVER_CERT.fingerprint());
        return this;
    }

    @Override
    public void close() {
        client.close();
        server.close();
    }
}
