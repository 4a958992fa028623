package dev.convene.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.convene.client.ApiException;
import dev.convene.client.ChatMessage;
import dev.convene.client.ConveneApi;
import dev.convene.client.ConveneClient;
import dev.convene.client.MediaTransportClient;
import dev.convene.client.MeetingInfo;
import dev.convene.client.ReceivedStream;
import dev.convene.server.devcluster.LocalCluster;
import dev.convene.server.devcluster.NodeProcess;
import dev.convene.store.redis.RedisStores;
import dev.convene.tls.TlsContexts;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 15's fault suite, the faults that do not kill anything: an SFU frozen with SIGSTOP
 * (ADR 0019 detection, ADR 0030 fencing when it runs again), an SFU whose UDP media port is
 * black-holed while its control connection and heartbeats stay healthy (ADR 0030's media
 * probe; an nftables table of the test's own on loopback), and PostgreSQL stopped for ~5 s
 * and started again on its data directory. Two signaling and two SFU nodes, each its own JVM;
 * audio-only Java clients over real UDP on loopback. Each prints a {@code fault=} line with its
 * recovery times for docs/reliability.md; {@code -Dconvene.faults.stallRuns=N},
 * {@code -Dconvene.faults.blackholeRuns=N} and {@code -Dconvene.faults.postgresRuns=N} repeat a fault (1 each in CI).
 */
@Tag("faults")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class StallAndOutageFaultTest {

    private static final int STALL_RUNS = Integer.getInteger("convene.faults.stallRuns", 1);
    private static final int POSTGRES_RUNS = Integer.getInteger("convene.faults.postgresRuns", 1);
    private static final int BLACKHOLE_RUNS = Integer.getInteger("convene.faults.blackholeRuns", 1);
    private static final Duration POSTGRES_DOWN = Duration.ofSeconds(5);
    /** Media not back by then counts as lost. */
    private static final Duration GIVE_UP = Duration.ofSeconds(15);
    private static final List<String> ARGS = List.of("--resume-grace", "15s",
            "--limit-join-per-address", "100000/1m", "--limit-create-per-address", "100000/1m",
            "--limit-create-per-user", "100000/1m");
    private static final ObjectMapper JSON = new ObjectMapper();

    private static LocalCluster cluster;
    private static SSLContext trust;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = LocalCluster.start(2, 2, ARGS, List.of("--resume-grace", "15s"),
                Boolean.getBoolean("convene.faults.echo") ? System.out : null);
        trust = TlsContexts.trusting(cluster.certificate().chain(), null);
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** The test's own view of Redis: patient timeouts (ADR 0005 gives a node 1 s). */
    private static RedisStores redis() {
        return cluster.observer();
    }

    private static ConveneApi api(int signaling) {
        return ConveneApi.overTls(URI.create(cluster.signalings().get(signaling).url()), trust);
    }

    private static ConveneClient.Options audio() {
        List<URI> sockets = cluster.signalings().stream()
                .map(n -> URI.create(n.url().replaceFirst("^http", "ws") + "/v1/signal")).toList();
        return new ConveneClient.Options(Duration.ofSeconds(20), 0, true, false, false, true, true,
                UnaryOperator.identity(), UnaryOperator.identity(), true, false, true, sockets);
    }

    /** Joins, retrying a 503 for up to 10 s as the clients do (a starved store can time out a request). */
    private static ConveneClient join(int signaling, String meetingId, String name) {
        ConveneApi api = api(signaling);
        String token = api.guestToken(name).accessToken();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            try {
                return ConveneClient.join(api, token, meetingId, name, audio());
            } catch (ApiException e) {
                if (e.status() != 503 || System.nanoTime() > deadline) {
                    throw e;
                }
                java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(250).toNanos()); // Retry-After
            }
        }
    }

    /** Three clients, one socket per signaling node at least, each publishing and hearing the others. */
    private static List<ConveneClient> meetingOfThree(String meetingId, String prefix) {
        List<ConveneClient> clients = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            clients.add(join(i % 2, meetingId, prefix + i));
        }
        clients.forEach(ConveneClient::publish);
        everyoneHearsEveryone(clients, 20);
        return clients;
    }

    private static void everyoneHearsEveryone(List<ConveneClient> clients, int morePackets) {
        long[][] before = new long[clients.size()][clients.size()];
        for (int t = 0; t < clients.size(); t++) {
            for (int f = 0; f < clients.size(); f++) {
                before[t][f] = t == f ? 0 : clients.get(t).received(clients.get(f).participantId(), "audio").packets();
            }
        }
        await("everyone hears everyone").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> {
                    for (int t = 0; t < clients.size(); t++) {
                        for (int f = 0; f < clients.size(); f++) {
                            if (t != f) {
                                assertThat(clients.get(t).received(clients.get(f).participantId(), "audio").packets())
                                        .as("%s hears %s", clients.get(t).displayName(), clients.get(f).displayName())
                                        .isGreaterThan(before[t][f] + morePackets);
                            }
                        }
                    }
                });
    }

    private static void nobodyLeftAndNobodyDuplicated(List<ConveneClient> clients) {
        Set<String> ids = clients.stream().map(ConveneClient::participantId).collect(Collectors.toSet());
        assertThat(ids).hasSize(clients.size());
        for (ConveneClient c : clients) {
            assertThat(c.frames("participant-left")).as("participant-left seen by %s", c.displayName()).isEmpty();
            assertThat(c.participants().keySet()).as("people seen by %s", c.displayName())
                    .isEqualTo(ids.stream().filter(id -> !id.equals(c.participantId())).collect(Collectors.toSet()));
        }
    }

    private static long percentile(List<Long> values, double p) {
        List<Long> sorted = values.stream().sorted().toList();
        return sorted.isEmpty() ? -1 : sorted.get(Math.max(0, Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1)));
    }

    // ------------------------------------------------------------------ SIGSTOP

    @Test
    @Order(1)
    void aStoppedSfuIsReplacedAndWhenItRunsAgainItLetsGoOfTheMovedMeeting() throws Exception {
        List<Long> recoveries = new ArrayList<>();
        List<Long> fencedAfter = new ArrayList<>();
        int lost = 0;
        try (RedisStores redis = redis()) {
            for (int run = 1; run <= STALL_RUNS; run++) {
                ConveneApi host = api(run % 2);
                MeetingInfo meeting = host.createMeeting(host.guestToken("Host T" + run).accessToken(), "sigstop " + run);
                UUID meetingId = UUID.fromString(meeting.meetingId());
                List<ConveneClient> clients = meetingOfThree(meeting.meetingId(), "T" + run + "-");
                try {
                    String stoppedId = redis.placement().sfuFor(meetingId).orElseThrow();
                    NodeProcess stopped = cluster.sfus().stream().filter(n -> n.name().equals(stoppedId)).findFirst()
                            .orElseThrow();
                    String survivor = cluster.sfus().stream().map(NodeProcess::name).filter(n -> !n.equals(stoppedId))
                            .findFirst().orElseThrow();
                    List<MediaTransportClient> before = clients.stream().map(c -> c.subscriberTransport().orElseThrow())
                            .toList();

                    long stoppedAt = System.nanoTime();
                    stopped.suspend();
                    long[] backAt = new long[clients.size()];
                    try {
                        long deadline = stoppedAt + GIVE_UP.toNanos();
                        int back = 0;
                        while (back < clients.size() && System.nanoTime() < deadline) {
                            for (int i = 0; i < clients.size(); i++) {
                                if (backAt[i] == 0 && receivesFromNewSfu(clients.get(i), before.get(i))) {
                                    backAt[i] = System.nanoTime();
                                    back++;
                                }
                            }
                            Thread.sleep(10);
                        }
                    } finally {
                        stopped.resume();
                    }
                    long resumedAt = System.nanoTime();
                    for (long at : backAt) {
                        if (at == 0) {
                            lost++;
                        } else {
                            recoveries.add(TimeUnit.NANOSECONDS.toMillis(at - stoppedAt));
                        }
                    }
                    assertThat(backAt).as("run %d: every client has media from the new SFU", run).doesNotContain(0L);
                    assertThat(redis.placement().sfuFor(meetingId)).contains(survivor);

                    // Running again, the stale node learns it was replaced: the moved meeting's
                    // sessions end there and its heartbeat stops reporting the meeting.
                    await("the stopped node lets go of the moved meeting").atMost(Duration.ofSeconds(10))
                            .pollInterval(Duration.ofMillis(50)).until(() -> redis.sfuRegistry().find(stoppedId)
                                    .filter(n -> n.lastHeartbeat().isAfter(java.time.Instant.now().minusMillis(500)))
                                    .map(n -> !n.meetings().contains(meeting.meetingId()) && n.participants() == 0)
                                    .orElse(false));
                    fencedAfter.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - resumedAt));
                    // Who ended the old sessions depends on timing: the signaling nodes' close of the
                    // old sessions (sent at migrate, read when the node runs again) or the node's own
                    // fence (StaleNodeFenceTest); either way they are gone and nothing was written back.
                    System.out.printf("fault=sfu_sigstop run=%d fenced_by_node=%b%n", run,
                            stopped.output().stream().anyMatch(l -> l.contains("event=sfu_fenced")));
                    assertThat(redis.placement().sfuFor(meetingId)).as("never written back").contains(survivor);

                    everyoneHearsEveryone(clients, 20);
                    for (ConveneClient c : clients) {
                        assertThat(c.migrationCount()).as("migrations of %s", c.displayName()).isEqualTo(1);
                    }
                    nobodyLeftAndNobodyDuplicated(clients);
                    assertThat(redis.seats().occupancy(meetingId)).isEqualTo(clients.size());
                    // A newcomer joins the meeting where it lives now, not on the node that came back.
                    ConveneClient late = join(run % 2, meeting.meetingId(), "T" + run + "-late");
                    clients.add(late);
                    assertThat(late.grant().sfuNodeId()).isEqualTo(survivor);
                    System.out.printf("fault=sfu_sigstop run=%d recoveries_ms=%s fenced_after_sigcont_ms=%d%n", run,
                            java.util.Arrays.stream(backAt).map(at -> TimeUnit.NANOSECONDS.toMillis(at - stoppedAt)).sorted()
                                    .boxed().toList(), fencedAfter.getLast());
                } finally {
                    clients.forEach(ConveneClient::close);
                }
            }
        }
        System.out.printf("fault=sfu_sigstop runs=%d recovery_p50_ms=%d recovery_p99_ms=%d fenced_p99_ms=%d lost=%d%n",
                STALL_RUNS, percentile(recoveries, 0.5), percentile(recoveries, 0.99), percentile(fencedAfter, 0.99), lost);
    }

    private static boolean receivesFromNewSfu(ConveneClient c, MediaTransportClient old) {
        MediaTransportClient now = c.subscriberTransport().orElse(null);
        if (now == null || now == old) {
            return false;
        }
        long packets = 0;
        for (ReceivedStream s : now.receivedStreams().values()) {
            packets += s.packets();
        }
        return packets > 0;
    }

    // ------------------------------------------------------------------ UDP black hole

    @Test
    @Order(2)
    void anSfuWhoseUdpIsBlackHoledIsFoundAndItsMeetingMovesWhileItsControlStaysUp() throws Exception {
        List<Long> recoveries = new ArrayList<>();
        List<Long> detections = new ArrayList<>();
        int lost = 0;
        try (RedisStores redis = redis()) {
            for (int run = 1; run <= BLACKHOLE_RUNS; run++) {
                ConveneApi host = api(run % 2);
                MeetingInfo meeting = host.createMeeting(host.guestToken("Host H" + run).accessToken(), "black hole " + run);
                UUID meetingId = UUID.fromString(meeting.meetingId());
                List<ConveneClient> clients = meetingOfThree(meeting.meetingId(), "H" + run + "-");
                try {
                    String holedId = redis.placement().sfuFor(meetingId).orElseThrow();
                    String survivor = cluster.sfus().stream().map(NodeProcess::name).filter(n -> !n.equals(holedId))
                            .findFirst().orElseThrow();
                    String media = redis.sfuRegistry().find(holedId).orElseThrow().mediaAddress();
                    int port = Integer.parseInt(media.substring(media.lastIndexOf(':') + 1));
                    List<MediaTransportClient> before = clients.stream().map(c -> c.subscriberTransport().orElseThrow())
                            .toList();

                    long[] backAt = new long[clients.size()];
                    long holedAt;
                    try (UdpBlackHole hole = UdpBlackHole.toLoopbackPort(port)) {
                        holedAt = System.nanoTime();
                        long deadline = holedAt + GIVE_UP.toNanos();
                        int back = 0;
                        while (back < clients.size() && System.nanoTime() < deadline) {
                            for (int i = 0; i < clients.size(); i++) {
                                if (backAt[i] == 0 && receivesFromNewSfu(clients.get(i), before.get(i))) {
                                    backAt[i] = System.nanoTime();
                                    back++;
                                }
                            }
                            Thread.sleep(10);
                        }
                        // All the while the node itself looked healthy: heartbeats and control kept going.
                        assertThat(redis.sfuRegistry().find(holedId)).as("the black-holed node still heartbeats")
                                .hasValueSatisfying(n -> assertThat(n.lastHeartbeat())
                                        .isAfter(java.time.Instant.now().minusSeconds(1)));
                    }
                    for (long at : backAt) {
                        if (at == 0) {
                            lost++;
                        } else {
                            recoveries.add(TimeUnit.NANOSECONDS.toMillis(at - holedAt));
                        }
                    }
                    assertThat(backAt).as("run %d: every client has media from the new SFU", run).doesNotContain(0L);
                    long firstMigrate = clients.stream().mapToLong(ConveneClient::migratedAtNanos).filter(t -> t != 0)
                            .map(t -> TimeUnit.NANOSECONDS.toMillis(t - holedAt)).min().orElse(-1);
                    detections.add(firstMigrate);
                    assertThat(redis.placement().sfuFor(meetingId)).contains(survivor);
                    everyoneHearsEveryone(clients, 20);
                    for (ConveneClient c : clients) {
                        assertThat(c.migrationCount()).as("migrations of %s", c.displayName()).isEqualTo(1);
                    }
                    nobodyLeftAndNobodyDuplicated(clients);
                    assertThat(redis.seats().occupancy(meetingId)).isEqualTo(clients.size());
                    // The node let go of the old sessions (signaling closed them over the live control connection).
                    await("the black-holed node holds none of the moved meeting").atMost(Duration.ofSeconds(10))
                            .until(() -> redis.sfuRegistry().find(holedId)
                                    .map(n -> !n.meetings().contains(meeting.meetingId())).orElse(false));
                    System.out.printf("fault=sfu_udp_blackhole run=%d first_migrate_ms=%d recoveries_ms=%s%n", run,
                            firstMigrate, java.util.Arrays.stream(backAt)
                                    .map(at -> TimeUnit.NANOSECONDS.toMillis(at - holedAt)).sorted().boxed().toList());
                } finally {
                    clients.forEach(ConveneClient::close);
                }
            }
        }
        System.out.printf("fault=sfu_udp_blackhole runs=%d detection_p99_ms=%d recovery_p50_ms=%d recovery_p99_ms=%d lost=%d%n",
                BLACKHOLE_RUNS, percentile(detections, 0.99), percentile(recoveries, 0.5), percentile(recoveries, 0.99), lost);
    }

    /**
     * Drops every UDP datagram to one loopback port, with an nftables table of this test's own
     * (named after the test JVM's pid), deleted on close; nothing else on the host is touched.
     */
    private static final class UdpBlackHole implements AutoCloseable {
        private final String table = "convene_test_" + ProcessHandle.current().pid();

        static UdpBlackHole toLoopbackPort(int port) {
            UdpBlackHole h = new UdpBlackHole();
            h.nft("delete", "table", "inet", h.table).ignoreFailure();
            h.nft("add", "table", "inet", h.table).check();
            try {
                h.nft("add", "chain", "inet", h.table, "input", "{ type filter hook input priority -10 ; policy accept ; }")
                        .check();
                h.nft("add", "rule", "inet", h.table, "input", "iifname", "lo", "udp", "dport", Integer.toString(port), "drop")
                        .check();
            } catch (RuntimeException e) {
                h.close();
                throw e;
            }
            return h;
        }

        private record Result(int exit, String output) {
            void check() {
                if (exit != 0) {
                    throw new IllegalStateException("nft failed (" + exit + "): " + output);
                }
            }

            void ignoreFailure() {}
        }

        private Result nft(String... args) {
            List<String> command = new ArrayList<>(List.of("nft"));
            command.addAll(List.of(args));
            try {
                Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    return new Result(-1, "timed out");
                }
                return new Result(p.exitValue(), out);
            } catch (java.io.IOException e) {
                return new Result(-1, e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Result(-1, "interrupted");
            }
        }

        @Override
        public void close() {
            nft("delete", "table", "inet", table).check();
        }
    }

    // ------------------------------------------------------------------ PostgreSQL

    @Test
    @Order(3)
    void aPostgresOutageKeepsMeetingsGoingRefusesCreationClearlyAndLosesNoChat() throws Exception {
        List<Long> recoveries = new ArrayList<>();
        int lostMessages = 0;
        for (int run = 1; run <= POSTGRES_RUNS; run++) {
            ConveneApi api = api(0);
            String hostToken = api.guestToken("Host P" + run).accessToken();
            MeetingInfo meeting = api.createMeeting(hostToken, "postgres outage " + run);
            List<ConveneClient> clients = meetingOfThree(meeting.meetingId(), "P" + run + "-");
            List<ChatMessage> acknowledged = new CopyOnWriteArrayList<>();
            AtomicBoolean chatting = new AtomicBoolean(true);
            Thread chatter = null;
            try {
                String lateToken = api(1).guestToken("Late P").accessToken();
                acknowledged.add(clients.getFirst().sendChat("before the outage " + run));
                cluster.stopPostgres();
                long stoppedAt = System.nanoTime();
                chatter = Thread.ofVirtual().start(() -> {
                    for (int n = 0; chatting.get() && n < 200; n++) {
                        try {
                            acknowledged.add(clients.get(n % clients.size()).sendChat("during " + n));
                        } catch (RuntimeException e) {
                            // Not acknowledged: not counted.
                        }
                        try {
                            Thread.sleep(100);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                });

                // Creating a meeting needs its row: a clear 503 with a code, soon, on both nodes.
                for (int s = 0; s < 2; s++) {
                    long asked = System.nanoTime();
                    ConveneApi on = api(s);
                    ApiException refused = catchThrowableOfType(ApiException.class,
                            () -> on.createMeeting(hostToken, "during the outage"));
                    assertThat(refused).as("create on signaling-%d while PostgreSQL is down", s + 1).isNotNull();
                    assertThat(refused.status()).isEqualTo(503);
                    assertThat(refused.code()).isEqualTo("store_unavailable");
                    assertThat(Duration.ofNanos(System.nanoTime() - asked)).isLessThan(Duration.ofSeconds(5));
                }
                // Joining needs the meeting's row (ended? locked? password? capacity?): refused the same way.
                ApiException joinRefused = catchThrowableOfType(ApiException.class,
                        () -> api(1).join(lateToken, meeting.meetingId(), "Late P"));
                assertThat(joinRefused).isNotNull();
                assertThat(joinRefused.status()).isEqualTo(503);
                assertThat(joinRefused.code()).isEqualTo("store_unavailable");
                // The live meeting carries on: media and chat.
                everyoneHearsEveryone(clients, 20);
                await().atMost(POSTGRES_DOWN).until(() -> System.nanoTime() - stoppedAt >= POSTGRES_DOWN.toNanos());
                int duringOutage = acknowledged.size();

                cluster.startPostgres();
                long startedAt = System.nanoTime();
                long[] createdAt = {0};
                await("creating works again").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                        .until(() -> {
                            try {
                                api(1).createMeeting(hostToken, "after the outage");
                                createdAt[0] = System.nanoTime();
                                return true;
                            } catch (ApiException e) {
                                return false;
                            }
                        });
                long recovered = TimeUnit.NANOSECONDS.toMillis(createdAt[0] - startedAt);
                recoveries.add(recovered);
                chatting.set(false);
                chatter.join(Duration.ofSeconds(10));
                assertThat(duringOutage).as("chat acknowledged during the outage").isGreaterThan(10);

                Set<String> sent = acknowledged.stream().map(ChatMessage::messageId).collect(Collectors.toSet());
                await("every acknowledged message delivered live").atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                    for (ConveneClient c : clients) {
                        assertThat(c.chatMessages().stream().map(ChatMessage::messageId).collect(Collectors.toSet()))
                                .as("at %s", c.displayName()).containsAll(sent);
                    }
                });
                Set<String> stored = new HashSet<>();
                try {
                    await("every acknowledged message in the history").atMost(Duration.ofSeconds(20))
                            .pollInterval(Duration.ofMillis(200)).until(() -> {
                                stored.clear();
                                stored.addAll(history(api(1), hostToken, meeting.meetingId()));
                                return stored.containsAll(sent);
                            });
                } finally {
                    Set<String> missing = new HashSet<>(sent);
                    missing.removeAll(stored);
                    lostMessages += missing.size();
                }
                long historyMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedAt);

                ConveneClient late = join(1, meeting.meetingId(), "P" + run + "-late");
                clients.add(late);
                late.publish();
                everyoneHearsEveryone(clients, 20);
                nobodyLeftAndNobodyDuplicated(clients);
                try (RedisStores redis = redis()) {
                    assertThat(redis.seats().occupancy(UUID.fromString(meeting.meetingId()))).isEqualTo(clients.size());
                }
                System.out.printf("fault=postgres_restart run=%d down_ms=%d create_ok_after_start_ms=%d "
                        + "history_complete_after_start_ms=%d chat_acknowledged=%d chat_during_outage=%d lost=0%n", run,
                        TimeUnit.NANOSECONDS.toMillis(startedAt - stoppedAt), recovered, historyMillis, sent.size(),
                        duringOutage);
            } finally {
                chatting.set(false);
                cluster.startPostgres();
                clients.forEach(ConveneClient::close);
            }
        }
        System.out.printf("fault=postgres_restart runs=%d recovery_p50_ms=%d recovery_p99_ms=%d lost=%d%n", POSTGRES_RUNS,
                percentile(recoveries, 0.5), percentile(recoveries, 0.99), lostMessages);
    }

    // ------------------------------------------------------------------ away when its SFU died

    /** Last: it kills a signaling node and an SFU of the shared cluster. */
    @Test
    @Order(4)
    void aClientWhoseSocketWasAwayWhenItsSfuDiedResumesAndIsMigrated() throws Exception {
        ConveneApi api = api(1);
        MeetingInfo meeting = api.createMeeting(api.guestToken("Host W").accessToken(), "away when the sfu died");
        UUID meetingId = UUID.fromString(meeting.meetingId());
        ConveneClient away = join(0, meeting.meetingId(), "W-away");
        ConveneClient stays = join(1, meeting.meetingId(), "W-stays");
        List<ConveneClient> clients = List.of(away, stays);
        try {
            clients.forEach(ConveneClient::publish);
            everyoneHearsEveryone(clients, 20);
            try (RedisStores redis = redis()) {
                String deadId = redis.placement().sfuFor(meetingId).orElseThrow();
                String survivor = cluster.sfus().stream().map(NodeProcess::name).filter(n -> !n.equals(deadId))
                        .findFirst().orElseThrow();
                MediaTransportClient before = away.subscriberTransport().orElseThrow();
                int resumes = away.resumeCount();
                // Its socket's node and its SFU die together: its resume token names a session that is gone.
                long killedAt = System.nanoTime();
                cluster.signalings().getFirst().kill();
                cluster.sfus().stream().filter(n -> n.name().equals(deadId)).findFirst().orElseThrow().kill();

                try {
                    await("the away client is back with media from the new SFU").atMost(GIVE_UP)
                            .pollInterval(Duration.ofMillis(10)).until(() -> receivesFromNewSfu(away, before));
                } catch (org.awaitility.core.ConditionTimeoutException e) {
                    throw new AssertionError("the away client is not back within " + GIVE_UP.toSeconds() + " s: state="
                            + away.connectionState() + " resumes=" + away.resumeCount() + " migrations="
                            + away.migrationCount() + " placement=" + redis.placement().sfuFor(meetingId)
                            + " dead=" + deadId + "\n" + nodeLines(away.participantId(), meeting.meetingId()), e);
                }
                long backMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
                assertThat(away.resumeCount()).as("it resumed").isGreaterThan(resumes);
                assertThat(away.migrationCount()).as("and was told to migrate").isEqualTo(1);
                assertThat(stays.migrationCount()).isEqualTo(1);
                assertThat(redis.placement().sfuFor(meetingId)).contains(survivor);
                everyoneHearsEveryone(clients, 20);
                nobodyLeftAndNobodyDuplicated(clients);
                assertThat(redis.seats().occupancy(meetingId)).isEqualTo(2);
                System.out.printf("fault=resume_after_sfu_death runs=1 media_back_ms=%d lost=0%n", backMillis);
            }
        } finally {
            clients.forEach(ConveneClient::close);
        }
    }

    /** The lines of every live node's log that name the participant or the meeting, or a node's health: the last 40. */
    private static String nodeLines(String participantId, String meetingId) {
        StringBuilder out = new StringBuilder();
        for (NodeProcess n : java.util.stream.Stream.concat(cluster.signalings().stream(), cluster.sfus().stream()).toList()) {
            List<String> lines = n.output().stream().filter(l -> l.contains(participantId) || l.contains(meetingId)
                    || l.contains("suspect") || l.contains("dead") || l.contains("failover") || l.contains("control_connection")
                    || l.contains("placement_follow")).toList();
            out.append("--- ").append(n.name()).append(n.isAlive() ? "" : " (dead)").append('\n');
            lines.subList(Math.max(0, lines.size() - 40), lines.size()).forEach(l -> out.append(l).append('\n'));
        }
        return out.toString();
    }

    /** Message ids of the newest 200 messages of the meeting's history, read by its host. */
    private static Set<String> history(ConveneApi api, String token, String meetingId) throws Exception {
        HttpResponse<String> r = api.httpClient().send(HttpRequest.newBuilder(
                api.baseUrl().resolve("/v1/meetings/" + meetingId + "/messages?limit=200"))
                .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            return Set.of();
        }
        Set<String> ids = new HashSet<>();
        for (JsonNode m : JSON.readTree(r.body()).path("messages")) {
            ids.add(m.path("message_id").asText());
        }
        return ids;
    }
}
