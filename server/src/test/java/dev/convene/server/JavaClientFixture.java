package dev.convene.server;

import dev.convene.client.ConveneApi;
import dev.convene.client.ConveneClient;
import dev.convene.client.MeetingInfo;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * An all-in-one server on loopback, one meeting, and Java clients in it: what the
 * {@code JavaClient*Test}s share. Closing it closes the clients, then the server.
 */
final class JavaClientFixture implements AutoCloseable {

    final AllInOneServer server;
    final ConveneApi api;
    final MeetingInfo meeting;
    private final List<ConveneClient> clients = new ArrayList<>();

    JavaClientFixture() throws InterruptedException {
        this(ServerOptions.forTests());
    }

    JavaClientFixture(ServerOptions options) throws InterruptedException {
        server = AllInOneServer.start(options);
        try {
            api = new ConveneApi(URI.create("http://127.0.0.1:" + server.httpPort()));
            String host = api.guestToken("Host").accessToken();
            meeting = api.createMeeting(host, "Java client test");
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }

    /** A guest who joins the meeting; closed with the fixture. */
    ConveneClient join(String name, ConveneClient.Options options) {
        String token = api.guestToken(name).accessToken();
        ConveneClient client = ConveneClient.join(api, token, meeting.meetingId(), name, options);
        clients.add(client);
        return client;
    }

    ConveneClient join(String name) {
        return join(name, ConveneClient.Options.defaults());
    }

    @Override
    public void close() {
        for (ConveneClient c : clients) {
            try {
                c.close();
            } catch (RuntimeException e) {
                // Keep closing the others and the server.
            }
        }
        server.close();
    }
}
