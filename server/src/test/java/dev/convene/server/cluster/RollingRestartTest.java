package dev.convene.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 15, done-when 5: a rolling restart of every node of a fleet of two signaling and two SFU
 * JVMs (real PostgreSQL and Redis) during a meeting of 20 Java clients, 5 of them publishing audio,
 * all chatting, sockets spread over both signaling nodes. In turn: SIGTERM signaling-1 (its clients resume on
 * signaling-2) and start it again; SIGTERM the meeting's SFU (it drains: the meeting moves to the
 * other, every client migrates) and start it again; the same for signaling-2 (everyone resumes on
 * the new signaling-1) and for the other SFU (the meeting moves back to the restarted one). Chat
 * is sent all along. Afterwards: every client still connected with its participant id, nobody saw
 * anybody leave, no node logged a participant leaving or media failing, 20 seats, every
 * acknowledged chat message at every client and in the meeting's history, and after every step
 * new media from every publisher at every client. Each node's output is kept in
 * {@code target/rolling-restart/}.
 *
 * <p>{@code -Dconvene.rolling.clients=N} changes the meeting's size, {@code -Dconvene.rolling.publishers=N}
 * how many of them publish audio, {@code -Dconvene.rolling.videoPublishers=N} how many of those
 * video too (docs/reliability.md).
 */
@Tag("faults")
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class RollingRestartTest {

    private static final int CLIENTS = Integer.getInteger("convene.rolling.clients", 20);
    /**
     * The first this many publish audio; everyone receives them and everyone chats. All 20 sending
     * audio (with or without 2 sending video) did not get through the join phase on the shared
     * machine at load average 17–45 (the media probe moved the meeting between the live SFUs,
     * ADR 0032 "Open"), hence 5.
     */
    private static final int PUBLISHERS = Integer.getInteger("convene.rolling.publishers", 5);
    /** Of the publishers, the first this many also publish video (640×360, one layer). */
    private static final int VIDEO_PUBLISHERS = Integer.getInteger("convene.rolling.videoPublishers", 0);
    /** After each step has completed (everyone back), every publisher must be heard at every client within this. */
    private static final Duration MEDIA_AFTER_STEP = Duration.ofSeconds(20);
    /** Media not back from the new SFU by then counts as lost. */
    private static final Duration GIVE_UP = Duration.ofSeconds(20);
    private static final List<String> SIGNALING_ARGS = List.of("--resume-grace", "15s",
            "--limit-join-per-address", "100000/1m", "--limit-create-per-address", "100000/1m");
    private static final List<String> SFU_ARGS = List.of("--resume-grace", "15s", "--drain-timeout", "12s");
    private static final java.io.PrintStream ECHO = Boolean.getBoolean("convene.rolling.echo") ? System.out : null;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void restartingEveryNodeInTurnEndsNoSessionAndLosesNoChat() throws Exception {
        try (LocalCluster cluster = startCluster(SIGNALING_ARGS, SFU_ARGS);
                RedisStores redis = cluster.observer()) {
            SSLContext trust = TlsContexts.trusting(cluster.certificate().chain(), null);
            // Restarted signaling nodes come back on their port, so these stay right throughout.
            List<ConveneApi> apis = cluster.signalings().stream().map(n -> ConveneApi.overTls(URI.create(n.url()), trust))
                    .toList();
            List<URI> sockets = cluster.signalings().stream()
                    .map(n -> URI.create(n.url().replaceFirst("^http", "ws") + "/v1/signal")).toList();
            ConveneClient.Options audioOnly = new ConveneClient.Options(Duration.ofSeconds(20), 0, true, false, false, true,
                    true, UnaryOperator.<InetSocketAddress>identity(), UnaryOperator.<InetSocketAddress>identity(), true, false,
                    true, sockets);
            ConveneClient.Options withVideo = new ConveneClient.Options(Duration.ofSeconds(20), 0, true, true, false, true,
                    true, UnaryOperator.<InetSocketAddress>identity(), UnaryOperator.<InetSocketAddress>identity(), true, false,
                    true, sockets);
            String hostToken = apis.getFirst().guestToken("Host").accessToken();
            MeetingInfo meeting = apis.getFirst().createMeeting(hostToken, "rolling restart of every node");
            UUID meetingId = UUID.fromString(meeting.meetingId());

            List<ConveneClient> clients = new CopyOnWriteArrayList<>();
            List<NodeProcess> retired = new ArrayList<>();
            ExecutorService pool = Executors.newFixedThreadPool(2);
            AtomicBoolean chatting = new AtomicBoolean(true);
            try {
                // A few at a time, as people arrive: each newcomer's handshakes not all at once.
                List<Future<ConveneClient>> joins = new ArrayList<>();
                for (int i = 0; i < CLIENTS; i++) {
                    ConveneApi api = apis.get(i % apis.size());
                    String name = "R" + i;
                    boolean publishes = i < PUBLISHERS;
                    ConveneClient.Options options = i < VIDEO_PUBLISHERS ? withVideo : audioOnly;
                    joins.add(pool.submit(() -> {
                        ConveneClient c = joinRetrying503(api, name, meeting.meetingId(), options);
                        if (publishes) {
                            try {
                                c.publish();
                            } catch (RuntimeException e) {
                                // A move while this publish was connecting (migrate) closes its transport;
                                // the client publishes again on the new SFU by itself, which the media
                                // checks below see. Anything else fails the join.
                                if (c.migrationCount() == 0) {
                                    throw e;
                                }
                                System.out.printf("rolling restart: %s's first publish overtaken by migrate (%s); "
                                        + "its republish goes on%n", name, e.getMessage());
                            }
                        }
                        return c;
                    }));
                }
                for (Future<ConveneClient> f : joins) {
                    clients.add(f.get(2, TimeUnit.MINUTES));
                }
                await("everyone hears everyone").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
                        .until(() -> hearsEveryone(clients));
                List<String> ids = clients.stream().map(ConveneClient::participantId).toList();
                assertThat(redis.seats().occupancy(meetingId)).isEqualTo(CLIENTS);

                // Chat from whoever has a socket, all along; only what the server echoed counts as sent.
                List<ChatMessage> acknowledged = new CopyOnWriteArrayList<>();
                Thread chatter = Thread.ofVirtual().start(() -> {
                    for (int n = 0; chatting.get() && n < 2_000; n++) {
                        ConveneClient from = clients.get(n % clients.size());
                        if (from.connectionState() == ConveneClient.ConnectionState.CONNECTED) {
                            try {
                                acknowledged.add(from.sendChat("rolling " + n));
                            } catch (RuntimeException e) {
                                // Its socket went in between: not acknowledged, not counted.
                            }
                        }
                        try {
                            Thread.sleep(150);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                });

                List<Long> resumes = new ArrayList<>();
                List<Long> sfuRecoveries = new ArrayList<>();
                int[] lost = {0};
                long started = System.nanoTime();
                // Who is on signaling-1 now: the even ones joined there.
                List<ConveneClient> onFirst = new ArrayList<>();
                for (int i = 0; i < CLIENTS; i += 2) {
                    onFirst.add(clients.get(i));
                }
                resumes.addAll(restartSignaling(cluster, "signaling-1", onFirst, true, clients, acknowledged, retired));
                awaitMediaFlowing(clients, "restarting signaling-1");
                String first = redis.placement().sfuFor(meetingId).orElseThrow();
                String second = cluster.sfus().stream().map(NodeProcess::name).filter(n -> !n.equals(first)).findFirst()
                        .orElseThrow();
                sfuRecoveries.addAll(restartSfu(cluster, redis, meetingId, first, second, clients, acknowledged, retired, lost));
                awaitMediaFlowing(clients, "draining " + first);
                // Everyone resumed on signaling-2 a moment ago (unless signaling-1 was back first).
                resumes.addAll(restartSignaling(cluster, "signaling-2", clients, false, clients, acknowledged, retired));
                awaitMediaFlowing(clients, "restarting signaling-2");
                sfuRecoveries.addAll(restartSfu(cluster, redis, meetingId, second, first, clients, acknowledged, retired, lost));
                awaitMediaFlowing(clients, "draining " + second);
                long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
                chatting.set(false);
                chatter.join(Duration.ofSeconds(15));

                for (ConveneClient c : clients) {
                    assertThat(c.connectionState()).as(c.displayName()).isEqualTo(ConveneClient.ConnectionState.CONNECTED);
                    assertThat(c.participantId()).isIn(ids);
                    // Two drains; a client whose media session ended under a resume is moved once more
                    // (resume_media_rebuilt: resumed + migrate) and stays.
                    assertThat(c.migrationCount()).as("migrations of %s", c.displayName()).isBetween(2, 4);
                    assertThat(c.frames("participant-left")).as("%s saw nobody leave", c.displayName()).isEmpty();
                    assertThat(c.participants().keySet()).as("%s's people list", c.displayName())
                            .containsExactlyInAnyOrderElementsOf(ids.stream().filter(id -> !id.equals(c.participantId())).toList());
                }
                assertThat(redis.seats().occupancy(meetingId)).as("seats").isEqualTo(CLIENTS);
                assertThat(redis.placement().sfuFor(meetingId)).contains(first);
                List<NodeProcess> everyNode = new ArrayList<>(retired);
                everyNode.addAll(cluster.signalings());
                everyNode.addAll(cluster.sfus());
                for (NodeProcess n : everyNode) {
                    assertThat(n.output()).as("%s's log", n.name())
                            .noneMatch(l -> l.contains("event=participant_left") && l.contains("joined=true")
                                    || l.contains("event=media_failed"));
                }

                assertThat(acknowledged).as("chat acknowledged during the restarts").hasSizeGreaterThan(20);
                Set<String> sent = acknowledged.stream().map(ChatMessage::messageId).collect(Collectors.toSet());
                await("every acknowledged chat message reached everyone").atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                    for (ConveneClient c : clients) {
                        Set<String> got = c.chatMessages().stream().map(ChatMessage::messageId).collect(Collectors.toSet());
                        assertThat(sent).as("missing at %s", c.displayName()).isSubsetOf(got);
                    }
                });
                assertThat(history(apis.getLast(), hostToken, meeting.meetingId())).as("chat history").containsAll(sent);

                long staleAnswers = clients.stream().flatMap(c -> c.frames("error").stream())
                        .filter(f -> f.path("code").asText().equals("stale_answer")).count();
                System.out.printf("| Rolling restart of all nodes (2 signaling + 2 SFU, %d participants) | 1 | resume %d ms, "
                        + "SFU move %d ms | resume %d ms, SFU move %d ms | %d |%n", CLIENTS, percentile(resumes, 50),
                        percentile(sfuRecoveries, 50), percentile(resumes, 99), percentile(sfuRecoveries, 99), lost[0]);
                System.out.printf("rolling restart: 4 restarts in %d ms, %d resumes, %d SFU moves, %d chat messages "
                        + "acknowledged, 0 missing, %d late answers dropped (stale_answer)%n", tookMs, resumes.size(),
                        sfuRecoveries.size(), acknowledged.size(), staleAnswers);
                assertThat(lost[0]).as("clients whose media did not come back from the new SFU within %d s",
                        GIVE_UP.toSeconds()).isZero();
            } finally {
                chatting.set(false);
                pool.shutdownNow();
                clients.forEach(ConveneClient::close);
                keepNodeLogs(retired, cluster);
            }
        }
    }

    /**
     * SIGTERM to a signaling node and a new one on its port; {@code onIt} resume elsewhere (each of
     * them, with {@code mustResume}; otherwise those whose socket was on it).
     *
     * @return each resumer's time from losing its socket to {@code resumed}, ms
     */
    private static List<Long> restartSignaling(LocalCluster cluster, String node, List<ConveneClient> onIt,
            boolean mustResume, List<ConveneClient> all, List<ChatMessage> acknowledged, List<NodeProcess> retired) {
        int[] before = onIt.stream().mapToInt(ConveneClient::resumeCount).toArray();
        int chatBefore = acknowledged.size();
        retired.add(cluster.signalings().stream().filter(n -> n.name().equals(node)).findFirst().orElseThrow());
        cluster.restartSignaling(node);
        if (mustResume) {
            for (int i = 0; i < onIt.size(); i++) {
                ConveneClient c = onIt.get(i);
                int expected = before[i] + 1;
                await(c.displayName() + " resumed").atMost(Duration.ofSeconds(20)).until(() -> c.resumeCount() >= expected);
            }
        }
        await("every client connected after restarting " + node).atMost(Duration.ofSeconds(20))
                .until(() -> all.stream().allMatch(c -> c.connectionState() == ConveneClient.ConnectionState.CONNECTED));
        List<Long> millis = new ArrayList<>();
        for (int i = 0; i < onIt.size(); i++) {
            ConveneClient c = onIt.get(i);
            if (c.resumeCount() > before[i]) {
                millis.add(c.lastResumeMillis());
            }
        }
        await("chat goes on after restarting " + node).atMost(Duration.ofSeconds(10))
                .until(() -> acknowledged.size() > chatBefore + 3);
        System.out.printf("rolling restart: %s restarted, %d resumed, resume ms %s%n", node, millis.size(),
                millis.stream().sorted().toList());
        return millis;
    }

    /**
     * SIGTERM to the meeting's SFU: it drains, the meeting moves to {@code to}, every client
     * migrates; then a new process under the same id, which is waited for in the registry.
     *
     * @return each client's time from the SIGTERM to its first packet from {@code to}, ms
     */
    private static List<Long> restartSfu(LocalCluster cluster, RedisStores redis, UUID meetingId, String from, String to,
            List<ConveneClient> clients, List<ChatMessage> acknowledged, List<NodeProcess> retired, int[] lost)
            throws Exception {
        assertThat(redis.placement().sfuFor(meetingId)).contains(from);
        NodeProcess draining = cluster.sfus().stream().filter(n -> n.name().equals(from)).findFirst().orElseThrow();
        retired.add(draining);
        List<MediaTransportClient> before = clients.stream().map(c -> c.subscriberTransport().orElse(null)).toList();
        int[] migrationsBefore = clients.stream().mapToInt(ConveneClient::migrationCount).toArray();
        int chatBefore = acknowledged.size();
        long termAt = System.nanoTime();
        // SIGTERM; the restart waits (bounded) for the drained process to exit, then starts a new one.
        CompletableFuture<NodeProcess> restarted = CompletableFuture.supplyAsync(() -> cluster.restartSfu(from));

        long[] backAt = new long[clients.size()];
        long deadline = termAt + GIVE_UP.toNanos();
        int back = 0;
        while (back < clients.size() && System.nanoTime() < deadline) {
            for (int i = 0; i < clients.size(); i++) {
                if (backAt[i] == 0 && clients.get(i).migrationCount() > migrationsBefore[i]
                        && receivesFromNewSfu(clients.get(i), before.get(i))) {
                    backAt[i] = System.nanoTime();
                    back++;
                }
            }
            Thread.sleep(10);
        }
        List<Long> millis = new ArrayList<>();
        for (long at : backAt) {
            if (at == 0) {
                lost[0]++;
            } else {
                millis.add(TimeUnit.NANOSECONDS.toMillis(at - termAt));
            }
        }
        System.out.printf("rolling restart: %s drained to %s, %d back, %d lost, ms %s%n", from, to, millis.size(),
                clients.size() - millis.size(), millis.stream().sorted().toList());
        restarted.get(4, TimeUnit.MINUTES);
        assertThat(draining.isAlive()).as("the drained SFU exits").isFalse();
        assertThat(draining.output()).as("the drained SFU's log").anyMatch(l -> l.contains("event=sfu_drain_finished")
                && l.contains("participants_left_behind=0"));
        assertThat(redis.placement().sfuFor(meetingId)).contains(to);
        // The next step drains onto the restarted node: it must be in the registry, healthy, first.
        await(from + " registered again").atMost(Duration.ofSeconds(10))
                .until(() -> redis.sfuRegistry().find(from).map(n -> !n.draining()).orElse(false));
        await("chat goes on after restarting " + from).atMost(Duration.ofSeconds(10))
                .until(() -> acknowledged.size() > chatBefore + 3);
        return millis;
    }

    /**
     * Every node's output, retired processes included, under target/rolling-restart/: without them a
     * failed run shows only the clients' side (the run of 18:39 had no node log to read).
     */
    private static void keepNodeLogs(List<NodeProcess> retired, LocalCluster cluster) {
        List<NodeProcess> every = new ArrayList<>(retired);
        every.addAll(cluster.signalings());
        every.addAll(cluster.sfus());
        java.nio.file.Path dir = java.nio.file.Path.of("target", "rolling-restart");
        try {
            if (java.nio.file.Files.isDirectory(dir)) {
                try (var old = java.nio.file.Files.list(dir)) {
                    for (java.nio.file.Path f : old.toList()) {
                        java.nio.file.Files.delete(f);
                    }
                }
            }
            java.nio.file.Files.createDirectories(dir);
            for (int i = 0; i < every.size(); i++) {
                NodeProcess n = every.get(i);
                java.nio.file.Files.write(dir.resolve(i + "-" + n.name() + ".log"), n.output());
            }
        } catch (java.io.IOException | RuntimeException e) {
            System.out.printf("rolling restart: node logs not kept: %s%n", e);
        }
    }

    /**
     * Joins as a client does: a 503 ({@code store_unavailable}, a starved node's store handshake)
     * says "nothing changed, try again", so it is tried again, a few times. The join phase is not
     * what this test measures.
     */
    private static ConveneClient joinRetrying503(ConveneApi api, String name, String meetingId, ConveneClient.Options options)
            throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                return ConveneClient.join(api, api.guestToken(name).accessToken(), meetingId, name, options);
            } catch (dev.convene.client.ApiException e) {
                if (e.status() != 503 || attempt == 5) {
                    throw e;
                }
                System.out.printf("rolling restart: join of %s got 503 (attempt %d), trying again%n", name, attempt);
                Thread.sleep(500L * attempt);
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

    /** Every message id in the meeting's stored history, all pages. */
    private static Set<String> history(ConveneApi api, String accessToken, String meetingId) throws Exception {
        Set<String> ids = new HashSet<>();
        String before = null;
        for (int page = 0; page < 100; page++) {
            String url = api.baseUrl() + "/v1/meetings/" + meetingId + "/messages?limit=200"
                    + (before == null ? "" : "&before=" + before);
            HttpResponse<String> r = api.httpClient().send(HttpRequest.newBuilder(URI.create(url))
                    .header("Authorization", "Bearer " + accessToken).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as("GET %s: %s", url, r.body()).isEqualTo(200);
            JsonNode body = JSON.readTree(r.body());
            body.path("messages").forEach(m -> ids.add(m.path("message_id").asText()));
            if (body.path("older").isNull() || body.path("older").isMissingNode()) {
                return ids;
            }
            before = body.path("older").asText();
        }
        return ids;
    }

    /** Whether every client receives audio from every publisher but itself on its current subscriber connection. */
    private static boolean hearsEveryone(List<ConveneClient> clients) {
        for (ConveneClient c : clients) {
            for (ConveneClient p : clients.subList(0, Math.min(PUBLISHERS, clients.size()))) {
                if (p != c && c.received(p.participantId(), "audio").packets() <= 10) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Every client receives more than 10 new audio packets from every publisher but itself after
     * {@code step}: counted from now on its current subscriber connection (from zero on one that
     * a move replaced meanwhile).
     */
    private static void awaitMediaFlowing(List<ConveneClient> clients, String step) {
        List<ConveneClient> publishers = clients.subList(0, Math.min(PUBLISHERS, clients.size()));
        Map<String, MediaTransportClient> transportAt = new HashMap<>();
        Map<String, Long> packetsAt = new HashMap<>();
        for (ConveneClient c : clients) {
            transportAt.put(c.participantId(), c.subscriberTransport().orElse(null));
            for (ConveneClient p : publishers) {
                packetsAt.put(c.participantId() + "/" + p.participantId(), c.received(p.participantId(), "audio").packets());
                packetsAt.put(c.participantId() + "/" + p.participantId() + "/video",
                        c.received(p.participantId(), "video").packets());
            }
        }
        long t0 = System.nanoTime();
        await("every publisher's audio at every client after " + step).atMost(MEDIA_AFTER_STEP)
                .pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
                    List<String> missing = new ArrayList<>();
                    for (ConveneClient c : clients) {
                        boolean same = c.subscriberTransport().orElse(null) == transportAt.get(c.participantId());
                        for (ConveneClient p : publishers) {
                            long base = same ? packetsAt.get(c.participantId() + "/" + p.participantId()) : 0;
                            if (p != c && c.received(p.participantId(), "audio").packets() - base <= 10) {
                                missing.add(p.displayName() + "->" + c.displayName());
                            }
                            String video = c.participantId() + "/" + p.participantId() + "/video";
                            long videoBase = same ? packetsAt.getOrDefault(video, 0L) : 0;
                            if (p != c && publishers.indexOf(p) < VIDEO_PUBLISHERS
                                    && c.received(p.participantId(), "video").packets() - videoBase <= 10) {
                                missing.add(p.displayName() + "->" + c.displayName() + " (video)");
                            }
                        }
                    }
                    assertThat(missing).as("publisher->subscriber pairs without new audio").isEmpty();
                });
        System.out.printf("rolling restart: media from every publisher at every client %d ms after %s%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), step);
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

    /** Nearest rank; -1 when there is nothing. */
    private static long percentile(List<Long> values, int p) {
        if (values.isEmpty()) {
            return -1;
        }
        long[] sorted = values.stream().mapToLong(Long::longValue).sorted().toArray();
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }
}
