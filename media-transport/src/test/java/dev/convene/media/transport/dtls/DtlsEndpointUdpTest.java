package dev.convene.media.transport.dtls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.convene.media.transport.dtls.DtlsCloseEvent.Cause;
import dev.convene.media.transport.srtp.SrtpProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The handshake over real UDP sockets on loopback, each fed by its own reader thread as the SFU's demultiplexer would. */
class DtlsEndpointUdpTest {

    @Test
    void handshakeOverLoopbackUdp() throws Exception {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        DatagramChannel serverSocket = DatagramChannel.open().bind(new InetSocketAddress(loopback, 0));
        DatagramChannel clientSocket = DatagramChannel.open().bind(new InetSocketAddress(loopback, 0));
        try {
            serverSocket.connect(clientSocket.getLocalAddress());
            clientSocket.connect(serverSocket.getLocalAddress());

            DtlsEndpoint server = new DtlsEndpoint(DtlsRole.SERVER, DtlsTestPeers.SERVER_CERT, sender(serverSocket));
            DtlsEndpoint client = new DtlsEndpoint(DtlsRole.CLIENT, DtlsTestPeers.CLIENT_CERT, sender(clientSocket));
            server.setRemoteFingerprint(DtlsTestPeers.CLIENT_CERT.fingerprint());
            client.setRemoteFingerprint(DtlsTestPeers.SERVER_CERT.fingerprint());
            Thread serverReader = Thread.ofVirtual().start(() -> pump(serverSocket, server));
            Thread clientReader = Thread.ofVirtual().start(() -> pump(clientSocket, client));

            CompletableFuture<DtlsSrtpResult> serverResult = server.start();
            CompletableFuture<DtlsSrtpResult> clientResult = client.start();
            DtlsSrtpResult s = serverResult.get(10, TimeUnit.SECONDS);
            DtlsSrtpResult c = clientResult.get(10, TimeUnit.SECONDS);

            assertThat(s.profile()).isEqualTo(SrtpProfile.AEAD_AES_128_GCM).isEqualTo(c.profile());
            assertThat(s.keyingMaterial()).isEqualTo(c.keyingMaterial());
            assertThat(s.srtpKeys().localMasterKey()).isEqualTo(c.srtpKeys().remoteMasterKey());
            assertThat(s.srtpKeys().remoteMasterKey()).isEqualTo(c.srtpKeys().localMasterKey());
            assertThat(s.peerFingerprint()).isEqualTo(DtlsTestPeers.CLIENT_CERT.fingerprint());

            client.close();
            assertThat(server.closeFuture()).succeedsWithin(Duration.ofSeconds(5))
                    .extracting(DtlsCloseEvent::cause).isEqualTo(Cause.PEER_CLOSE_NOTIFY);
            server.close();
            serverSocket.close(); // Ends the reader threads.
            clientSocket.close();
            assertThat(serverReader.join(Duration.ofSeconds(5))).isTrue();
            assertThat(clientReader.join(Duration.ofSeconds(5))).isTrue();
        } finally {
            serverSocket.close();
            clientSocket.close();
        }
    }

    private static DatagramSender sender(DatagramChannel socket) {
        return (data, off, len) -> {
            try {
                socket.write(ByteBuffer.wrap(data, off, len));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
    }

    /** The SFU's demultiplexer in miniature: first byte 20–63 is DTLS. */
    private static void pump(DatagramChannel socket, DtlsEndpoint endpoint) {
        ByteBuffer buffer = ByteBuffer.allocate(2048);
        try {
            while (true) {
                buffer.clear();
                socket.receive(buffer);
                buffer.flip();
                int first = buffer.remaining() > 0 ? buffer.get(0) & 0xFF : -1;
                if (first >= 20 && first <= 63) {
                    endpoint.receive(buffer.array(), buffer.arrayOffset(), buffer.remaining());
                }
            }
        } catch (ClosedChannelException e) {
            // The test is over.
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
