package dev.convene.store.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import redis.embedded.RedisServer;

/**
 * A real Redis (the binary packaged with embedded-redis) for one test class, on a free
 * loopback port, emptied (FLUSHALL) before each test. Register it as a static
 * {@code @RegisterExtension} field. It can be stopped and started again on the same port to
 * test outages.
 */
final class EmbeddedRedis implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback {

    private int port;
    private RedisServer server;
    private RedisStores shared;
    private RedisClient adminClient;
    private StatefulRedisConnection<String, String> adminConnection;
    private final List<RedisStores> opened = new ArrayList<>();

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        port = freePort();
        start();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (server != null && server.isActive()) {
            admin().flushall();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        synchronized (opened) {
            opened.forEach(RedisStores::close);
            opened.clear();
            shared = null;
        }
        if (adminClient != null) {
            adminClient.shutdown();
        }
        stop();
    }

    String url() {
        return "redis://127.0.0.1:" + port;
    }

    int port() {
        return port;
    }

    /** One {@link RedisStores} shared by the tests of the class. */
    RedisStores stores() {
        synchronized (opened) {
            if (shared == null) {
                shared = newStores();
            }
            return shared;
        }
    }

    /** Another process's view of the same Redis: a separate client and connections; closed after the class. */
    RedisStores newStores() {
        return newStores(RedisSettings.defaults());
    }

    RedisStores newStores(RedisSettings settings) {
        RedisStores stores = RedisStores.connect(url(), settings);
        synchronized (opened) {
            opened.add(stores);
        }
        return stores;
    }

    void start() throws IOException {
        server = RedisServer.newRedisServer()
                .port(port)
                .setting("bind 127.0.0.1")
                .setting("save \"\"")
                .setting("appendonly no")
                .build();
        server.start();
    }

    void stop() throws IOException {
        if (server != null && server.isActive()) {
            server.stop();
        }
    }

    /** Commands on a connection of the test's own, outside the stores under test. */
    synchronized RedisCommands<String, String> admin() {
        if (adminConnection == null) {
            adminClient = RedisClient.create(url());
            adminConnection = adminClient.connect();
        }
        return adminConnection.sync();
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
