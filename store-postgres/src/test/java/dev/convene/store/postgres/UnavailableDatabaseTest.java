package dev.convene.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.convene.store.StoreUnavailableException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class UnavailableDatabaseTest {

    private static final Duration CONNECT = Duration.ofSeconds(1);

    @Test
    void nothingListeningFailsFast() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        assertFailsWithin(port, Duration.ofSeconds(4));
    }

    /** A server that accepts TCP and never answers, like a hung or partitioned database. */
    @Test
    void aSilentServerFailsWithinTheTimeoutInsteadOfHanging() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            assertFailsWithin(silent.getLocalPort(), Duration.ofSeconds(6));
        }
    }

    private static void assertFailsWithin(int port, Duration bound) {
        PostgresStoreConfig config = PostgresStoreConfig.of("jdbc:postgresql://127.0.0.1:" + port + "/convene", "convene", "secret")
                .withConnectTimeout(CONNECT);
        long start = System.nanoTime();
        assertThatThrownBy(() -> PostgresStores.open(config).close())
                .isInstanceOf(StoreUnavailableException.class)
                .hasMessageContaining("127.0.0.1:" + port);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(bound);
    }

    @Test
    void aPoolWithNoFreeConnectionFailsFastWithStoreUnavailable() throws Exception {
        try (PostgresStores two = PostgresStores.open(TestDatabase.config().withMaxPoolSize(2).withConnectTimeout(Duration.ofMillis(500)));
                var held = two.dataSource().getConnection();
                var alsoHeld = two.dataSource().getConnection()) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> two.seats().occupancy(java.util.UUID.randomUUID()))
                    .isInstanceOf(StoreUnavailableException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        }
    }

    @Test
    void aPoolTooSmallForFlywayIsRefused() {
        assertThatThrownBy(() -> TestDatabase.config().withMaxPoolSize(1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theConfigurationNeverPrintsThePassword() {
        assertThat(PostgresStoreConfig.of("jdbc:postgresql://db/convene", "convene", "hunter2").toString())
                .doesNotContain("hunter2");
    }
}
