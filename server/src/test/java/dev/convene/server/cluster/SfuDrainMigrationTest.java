package dev.convene.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 15, done-when 5 (the SFU half), ADR 0020: SIGTERM to the SFU that hosts a meeting of 5
 * Java clients (all publishing audio, sockets spread over two signaling nodes) in a cluster of two
 * SFU and two signaling JVMs with real PostgreSQL and Redis. The node drains: both signaling nodes
 * see its draining flag, one moves the meeting to the other SFU by compare-and-set, each migrates
 * the participants it holds and closes their old sessions, and the drained node, empty, exits.
 * Per client, the time from the SIGTERM to its first media packet from the new SFU; chat sent
 * all along reaches everyone; nobody sees anybody leave; ids and seats unchanged.
 *
 * <p>One run in CI; {@code -Dconvene.drain.runs=N} repeats it on a fresh cluster each time
 * (docs/reliability.md).
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class SfuDrainMigrationTest {

    private static final int RUNS = Integer.getInteger("convene.drain.runs", 1);
    private static final int CLIENTS = 5;
    /** Media not back by then counts as lost: a renewal round (5 s) to notice the flag, then the migrate. */
    private static final Duration GIVE_UP = Duration.ofSeconds(20);
    private static final java.io.PrintStream ECHO = Boolean.getBoolean("convene.drain.echo") ? System.out : null;

    @Test
    void aDrainingSfuHandsItsMeetingToTheOtherWithoutEndingAnySessionOrLosingChat() throws Exception {
        List<Long> recoveries = new ArrayList<>();
        int lost = 0;
        for (int run = 1; run <= RUNS; run++) {
            int[] lostHere = {0};
            recoveries.addAll(oneRun(run, lostHere));
            lost += lostHere[0];
        }
        long[] sorted = recoveries.stream().mapToLong(Long::longValue).sorted().toArray();
        System.out.printf("| SFU rolling restart (SIGTERM, drain + migrate) | %d | %d ms | %d ms | %d |%n", RUNS,
                percentile(sorted, 50), percentile(sorted, 99), lost);
        assertThat(lost).as("clients whose media did not come back within %d s", GIVE_UP.toSeconds()).isZero();
    }

    private List<Long> oneRun(int run, int[] lost) throws Exception {
        try (LocalCluster cluster = startCluster(List.of("--limit-join-per-address", "100000/1m"),
                List.of("--drain-timeout", "12s"));
                RedisStores redis = cluster.observer()) {
            SSLContext trust = TlsContexts.trusting(cluster.certificate().chain(), null);
            List<ConveneApi> apis = cluster.signalings().stream().map(n -> ConveneApi.overTls(URI.create(n.url()), trust))
                    .toList();
            List<URI> sockets = cluster.signalings().stream()
                    .map(n -> URI.create(n.url().replaceFirst("^http", "ws") + "/v1/signal")).toList();
            ConveneClient.Options audioOnly = new ConveneClient.Options(Duration.ofSeconds(20), 0, true, false, false, true,
                    true, UnaryOperator.<InetSocketAddress>identity(), UnaryOperator.<InetSocketAddress>identity(), true, false,
                    true, sockets);
            List<ConveneClient> clients = new ArrayList<>();
            try {
                MeetingInfo meeting = apis.getFirst().createMeeting(apis.getFirst().guestToken("Host").accessToken(),
                        "the SFU drains, run " + run);
                UUID meetingId = UUID.fromString(meeting.meetingId());
                for (int i = 0; i < CLIENTS; i++) {
                    ConveneApi api = apis.get(i % apis.size());
                    String name = "D" + i;
                    ConveneClient c = ConveneClient.join(api, api.guestToken(name).accessToken(), meeting.meetingId(), name,
                            audioOnly);
                    clients.add(c);
                    c.publish();
                }
                await("everyone hears everyone").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                        .until(() -> hearsEveryone(clients));
                Set<String> ids = new HashSet<>();
                clients.forEach(c -> ids.add(c.participantId()));
                assertThat(redis.seats().occupancy(meetingId)).isEqualTo(CLIENTS);
                String drainingId = redis.placement().sfuFor(meetingId).orElseThrow();
                NodeProcess draining = cluster.sfus().stream().filter(n -> n.name().equals(drainingId)).findFirst()
                        .orElseThrow();
                String survivorId = cluster.sfus().stream().map(NodeProcess::name).filter(n -> !n.equals(drainingId))
                        .findFirst().orElseThrow();
                List<MediaTransportClient> before = clients.stream().map(c -> c.subscriberTransport().orElseThrow()).toList();

                // Chat all along, from every client in turn; each send waits for the server's echo.
                List<String> sent = new CopyOnWriteArrayList<>();
                AtomicBoolean chatting = new AtomicBoolean(true);
                CompletableFuture<Void> chat = CompletableFuture.runAsync(() -> {
                    for (int n = 0; n < 200 && chatting.get(); n++) {
                        ChatMessage m = clients.get(n % CLIENTS).sendChat("during the drain #" + n);
                        sent.add(m.text());
                        try {
                            Thread.sleep(150);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return;
                        }
                    }
                });

                long termAt = System.nanoTime();
                // SIGTERM; close() waits (bounded) for the drained process to exit.
                CompletableFuture<Void> stopped = CompletableFuture.runAsync(draining::close);

                long[] backAt = new long[CLIENTS];
                long deadline = termAt + GIVE_UP.toNanos();
                int back = 0;
                while (back < CLIENTS && System.nanoTime() < deadline) {
                    for (int i = 0; i < CLIENTS; i++) {
                        if (backAt[i] == 0 && receivesFromNewSfu(clients.get(i), before.get(i))) {
                            backAt[i] = System.nanoTime();
                            back++;
                        }
                    }
                    Thread.sleep(10);
                }
                List<Long> recoveries = new ArrayList<>();
                for (long at : backAt) {
                    if (at == 0) {
                        lost[0]++;
                    } else {
                        recoveries.add(TimeUnit.NANOSECONDS.toMillis(at - termAt));
                    }
                }
                System.out.printf("sfu drain run %d: %d back, %d lost, recoveries ms %s%n", run, recoveries.size(), lost[0],
                        Arrays.toString(recoveries.stream().mapToLong(Long::longValue).sorted().toArray()));

                stopped.get(30, TimeUnit.SECONDS);
                assertThat(draining.isAlive()).as("the drained SFU exits").isFalse();
                assertThat(draining.output()).as("the drained SFU's log").anyMatch(l -> l.contains("event=sfu_drain_finished")
                        && l.contains("participants_left_behind=0"));
                assertThat(redis.placement().sfuFor(meetingId)).contains(survivorId);
                // Counts are of the current subscriber connection, the one to the survivor now.
                await("everyone hears everyone again, from the survivor").atMost(Duration.ofSeconds(20))
                        .pollInterval(Duration.ofMillis(200)).until(() -> hearsEveryone(clients));
                chatting.set(false);
                chat.get(30, TimeUnit.SECONDS);
                assertThat(sent).as("chat acknowledged during the drain").hasSizeGreaterThan(5);
                await("every acknowledged chat message at every client").atMost(Duration.ofSeconds(10)).until(() -> clients
                        .stream().allMatch(c -> c.chatMessages().stream().map(ChatMessage::text).toList().containsAll(sent)));
                for (ConveneClient c : clients) {
                    assertThat(c.migrationCount()).as("migrations of %s", c).isEqualTo(1);
                    assertThat(c.frames("participant-left")).as("participant-left seen by %s", c).isEmpty();
                    assertThat(c.participants()).as("people seen by %s", c).hasSize(CLIENTS - 1);
                    assertThat(ids).contains(c.participantId()).containsAll(c.participants().keySet());
                }
                assertThat(redis.seats().occupancy(meetingId)).as("seats").isEqualTo(CLIENTS);
                long staleAnswers = clients.stream().flatMap(c -> c.frames("error").stream())
                        .filter(f -> f.path("code").asText().equals("stale_answer")).count();
                System.out.printf("sfu drain run %d: %d chat messages acknowledged during the drain, 0 missing, "
                        + "%d late answers to the old SFU's offers dropped (stale_answer)%n", run, sent.size(), staleAnswers);
                return recoveries;
            } finally {
                for (ConveneClient c : clients) {
                    c.close();
                }
            }
        }
    }


    /**
     * On the shared 2-core machine a node's first Redis handshake (1 s, ADR 0005) is sometimes
     * missed three times over; the fleet's start is not what is tested, so it gets more tries.
     */
    private static LocalCluster startCluster(List<String> signalingArgs, List<String> sfuArgs) throws java.io.IOException {
        for (int attempt = 1; ; attempt++) {
            try {
                return LocalCluster.start(2, 2, signalingArgs, sfuArgs, ECHO);
            } catch (IllegalStateException | java.util.concurrent.CompletionException e) {
                if (attempt == 3) {
                    throw e;
                }
                System.out.printf("cluster did not start (attempt %d): %s%n", attempt,
                        String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
            }
        }
    }

    /** Whether every client receives audio from every other on its current subscriber connection. */
    private static boolean hearsEveryone(List<ConveneClient> clients) {
        for (ConveneClient c : clients) {
            for (ConveneClient p : clients) {
                if (p != c && c.received(p.participantId(), "audio").packets() <= 10) {
                    return false;
                }
            }
        }
        return true;
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

    /** Nearest rank. */
    private static long percentile(long[] sorted, int p) {
        if (sorted.length == 0) {
            return -1;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }
}
