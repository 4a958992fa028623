package dev.convene.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 15, done-when 2 (Java part), ADR 0019: {@code kill -9} of the SFU that hosts a meeting of
 * Java clients (3 publish audio, everyone receives; 10 in CI, {@code -Dconvene.failover.clients=50}
 * for the count), in a cluster of two SFU and two signaling
 * nodes (each its own JVM, real PostgreSQL and Redis); the clients' sockets are spread over both
 * signaling nodes, so both notice the death at once and race to move the meeting. Per client, the
 * time from the kill to its first media packet from the new SFU: p99 within the bound (3 s in CI,
 * where the test JVM sets up every client's two fresh transports at once on a shared 2-core
 * machine; {@code -Dconvene.failover.backWithinMs=2000} for the target, which 50 clients
 * met over 10 runs on an idle machine, p99 1.34 s — docs/reliability.md); every client on that one SFU with
 * its participant id; nobody sees anybody leave.
 *
 * <p>One run in CI; {@code -Dconvene.failover.runs=10} repeats it on a fresh cluster each time and
 * prints the numbers of all runs together (docs/reliability.md).
 */
@Tag("faults")
@Timeout(value = 20, unit = TimeUnit.MINUTES)
class SfuFailoverTest {

    private static final int RUNS = Integer.getInteger("convene.failover.runs", 1);
    private static final int CLIENTS = Integer.getInteger("convene.failover.clients", 10);
    private static final int PUBLISHERS = 3;
    private static final Duration BACK_WITHIN = Duration.ofMillis(Long.getLong("convene.failover.backWithinMs", 3_000));
    /** Media not back by then counts as lost. */
    private static final Duration GIVE_UP = Duration.ofSeconds(15);
    /** {@code -Dconvene.failover.echo=true} prints the nodes' logs. */
    private static final java.io.PrintStream ECHO = Boolean.getBoolean("convene.failover.echo") ? System.out : null;

    @Test
    void killingTheMeetingsSfuMovesEveryClientToTheOtherInTimeAndNobodyLeaves() throws Exception {
        List<Long> recoveries = new ArrayList<>();
        List<Long> detections = new ArrayList<>();
        int lost = 0;
        for (int run = 1; run <= RUNS; run++) {
            Result r = oneRun(run);
            recoveries.addAll(r.recoveriesMillis());
            detections.add(r.firstMigrateMillis());
            lost += r.lost();
        }
        long[] sorted = recoveries.stream().mapToLong(Long::longValue).sorted().toArray();
        long p50 = percentile(sorted, 50);
        long p99 = percentile(sorted, 99);
        System.out.printf("| SFU kill -9 (%d Java clients) | %d | %d ms | %d ms | %d |%n", CLIENTS, RUNS, p50, p99, lost);
        System.out.printf("sfu failover: %d recoveries, max %d ms, first migrate after kill per run %s ms%n",
                sorted.length, sorted.length == 0 ? -1 : sorted[sorted.length - 1], detections);
        assertThat(lost).as("clients whose media did not come back within %d s", GIVE_UP.toSeconds()).isZero();
        assertThat(p99).as("p99 from the kill to media from the new SFU, ms").isLessThanOrEqualTo(BACK_WITHIN.toMillis());
    }

    private record Result(List<Long> recoveriesMillis, long firstMigrateMillis, int lost) {}

    private Result oneRun(int run) throws Exception {
        try (LocalCluster cluster = LocalCluster.start(2, 2, List.of("--limit-join-per-address", "100000/1m"), ECHO);
                RedisStores redis = RedisStores.connect(cluster.redisUrl())) {
            SSLContext trust = TlsContexts.trusting(cluster.certificate().chain(), null);
            List<ConveneApi> apis = cluster.signalings().stream().map(n -> ConveneApi.overTls(URI.create(n.url()), trust))
                    .toList();
            List<URI> sockets = cluster.signalings().stream()
                    .map(n -> URI.create(n.url().replaceFirst("^http", "ws") + "/v1/signal")).toList();
            ConveneClient.Options audioOnly = new ConveneClient.Options(Duration.ofSeconds(20), 0, true, false, false, true,
                    true, UnaryOperator.<InetSocketAddress>identity(), UnaryOperator.<InetSocketAddress>identity(), true, false,
                    true, sockets);

            List<ConveneClient> clients = new ArrayList<>();
            List<ConveneClient> latecomers = new ArrayList<>();
            ExecutorService pool = Executors.newFixedThreadPool(3);
            try {
                // A meeting of two placed first, so the big one goes to the other SFU: the survivor is serving, not idle.
                MeetingInfo other = apis.getLast().createMeeting(apis.getLast().guestToken("Other").accessToken(),
                        "a bystander meeting, run " + run);
                List<ConveneClient> bystanders = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    ConveneApi api = apis.get(i);
                    bystanders.add(ConveneClient.join(api, api.guestToken("B" + i).accessToken(), other.meetingId(), "B" + i,
                            audioOnly));
                }
                clients.addAll(bystanders);
                bystanders.getFirst().publish();
                String otherSfu = redis.placement().sfuFor(UUID.fromString(other.meetingId())).orElseThrow();
                // Until the registry counts them, the big meeting could be placed beside them.
                await("the registry counts the bystanders").atMost(Duration.ofSeconds(10))
                        .until(() -> redis.sfuRegistry().find(otherSfu).map(n -> n.participants() >= 2).orElse(false));
                MeetingInfo meeting = apis.getFirst().createMeeting(apis.getFirst().guestToken("Host").accessToken(),
                        "the SFU dies, run " + run);
                UUID meetingId = UUID.fromString(meeting.meetingId());
                // Publishers first, then the rest a few at a time: each newcomer's DTLS handshake on
                // its own, as people arrive, rather than fifty at once (the kill below does that).
                for (int i = 0; i < PUBLISHERS; i++) {
                    ConveneApi api = apis.get(i % apis.size());
                    String name = "P" + i;
                    ConveneClient p = ConveneClient.join(api, api.guestToken(name).accessToken(), meeting.meetingId(), name,
                            audioOnly);
                    clients.add(p);
                    p.publish();
                }
                List<Future<ConveneClient>> joins = new ArrayList<>();
                for (int i = PUBLISHERS; i < CLIENTS; i++) {
                    ConveneApi api = apis.get(i % apis.size());
                    String name = "P" + i;
                    joins.add(pool.submit(() -> ConveneClient.join(api, api.guestToken(name).accessToken(),
                            meeting.meetingId(), name, audioOnly)));
                }
                for (Future<ConveneClient> f : joins) {
                    clients.add(f.get(2, TimeUnit.MINUTES));
                }
                List<ConveneClient> attendees = clients.subList(bystanders.size(), clients.size());
                List<ConveneClient> publishers = attendees.subList(0, PUBLISHERS);
                await("everyone hears every publisher").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                        .until(() -> attendees.stream().allMatch(c -> publishers.stream()
                                .filter(p -> p != c).allMatch(p -> c.received(p.participantId(), "audio").packets() > 10))
                                && bystanders.getLast().received(bystanders.getFirst().participantId(), "audio").packets() > 10);
                Set<String> ids = new HashSet<>();
                attendees.forEach(c -> ids.add(c.participantId()));
                String doomedId = redis.placement().sfuFor(meetingId).orElseThrow();
                NodeProcess doomed = cluster.sfus().stream().filter(n -> n.name().equals(doomedId)).findFirst().orElseThrow();
                String survivorId = cluster.sfus().stream().map(NodeProcess::name).filter(n -> !n.equals(doomedId))
                        .findFirst().orElseThrow();
                assertThat(redis.placement().sfuFor(UUID.fromString(other.meetingId()))).as("the bystander meeting")
                        .contains(survivorId);
                // One attendee pauses one publisher's audio (subscribe-settings): the new SFU must hear it again.
                ConveneClient pauser = attendees.getLast();
                ConveneClient paused = publishers.get(1);
                String pausedTrack = pauser.remoteTracks().values().stream()
                        .filter(t -> t.participantId().equals(paused.participantId()) && t.kind().equals("audio"))
                        .findFirst().orElseThrow().trackId();
                pauser.setSubscribeSettings(pausedTrack, 0, 0, true);
                awaitSilent(pauser, paused, "before the kill");
                List<MediaTransportClient> before = attendees.stream().map(c -> c.subscriberTransport().orElseThrow()).toList();

                long killedAt = System.nanoTime();
                doomed.kill();
                System.out.println(java.time.Instant.now() + " event=test_sfu_killed node=" + doomedId);
                // Someone joins just as the SFU dies: its join token names the dead node, the meeting moves
                // while its socket opens, and it must end up on the new node with everyone else.
                ConveneApi lateApi = apis.get(1);
                Future<ConveneClient> lateJoin = pool.submit(() -> ConveneClient.join(lateApi,
                        lateApi.guestToken("Late").accessToken(), meeting.meetingId(), "Late", audioOnly));

                long[] backAt = new long[attendees.size()];
                long deadline = killedAt + GIVE_UP.toNanos();
                int back = 0;
                while (back < attendees.size() && System.nanoTime() < deadline) {
                    for (int i = 0; i < attendees.size(); i++) {
                        if (backAt[i] == 0 && receivesFromNewSfu(attendees.get(i), before.get(i))) {
                            backAt[i] = System.nanoTime();
                            back++;
                        }
                    }
                    Thread.sleep(10);
                }
                List<Long> recoveries = new ArrayList<>();
                int lost = 0;
                StringBuilder each = new StringBuilder();
                for (int i = 0; i < backAt.length; i++) {
                    long at = backAt[i];
                    each.append(' ').append(attendees.get(i).participantId()).append('=');
                    if (at == 0) {
                        lost++;
                        each.append("lost");
                    } else {
                        recoveries.add(TimeUnit.NANOSECONDS.toMillis(at - killedAt));
                        each.append(TimeUnit.NANOSECONDS.toMillis(at - killedAt));
                    }
                }
                System.out.println("sfu failover run " + run + " back after ms by participant:" + each);
                long firstMigrate = attendees.stream().mapToLong(ConveneClient::migratedAtNanos).filter(t -> t != 0)
                        .map(t -> TimeUnit.NANOSECONDS.toMillis(t - killedAt)).min().orElse(-1);
                System.out.printf("sfu failover run %d: %d back, %d lost, recoveries ms %s%n", run, recoveries.size(), lost,
                        Arrays.toString(recoveries.stream().mapToLong(Long::longValue).sorted().toArray()));

                // One new SFU for the meeting, everybody on it under its old id, nobody seen leaving.
                assertThat(redis.placement().sfuFor(meetingId)).contains(survivorId);
                await("every publisher heard again by everyone").atMost(Duration.ofSeconds(20)).until(() -> attendees.stream()
                        .allMatch(c -> publishers.stream().filter(p -> p != c && !(c == pauser && p == paused))
                                .allMatch(p -> c.received(p.participantId(), "audio").packets() > 10)));
                await("the paused publisher's new track offered to the pauser").atMost(Duration.ofSeconds(10))
                        .until(() -> pauser.remoteTracks().values().stream().anyMatch(t -> t.kind().equals("audio")
                                && t.participantId().equals(paused.participantId()) && !t.trackId().equals(pausedTrack)));
                awaitSilent(pauser, paused, "on the new SFU (its subscribe-settings sent again for the new track id)");
                ConveneClient late = lateJoin.get(30, TimeUnit.SECONDS);
                latecomers.add(late);
                await("the late joiner hears every publisher").atMost(Duration.ofSeconds(20)).until(() -> publishers.stream()
                        .allMatch(p -> late.received(p.participantId(), "audio").packets() > 10));
                assertThat(late.migrationCount()).as("the late joiner joined the new SFU directly").isZero();
                assertThat(late.participants().keySet()).as("people seen by the late joiner").isEqualTo(ids);
                ids.add(late.participantId());
                for (ConveneClient b : bystanders) {
                    assertThat(b.migrationCount()).as("the bystander meeting stays where it is").isZero();
                }
                long bystanderAudio = bystanders.getLast().received(bystanders.getFirst().participantId(), "audio").packets();
                await("the bystander meeting goes on").atMost(Duration.ofSeconds(5)).until(() -> bystanders.getLast()
                        .received(bystanders.getFirst().participantId(), "audio").packets() > bystanderAudio + 10);
                for (ConveneClient c : attendees) {
                    assertThat(c.migrationCount()).as("migrations of %s", c).isEqualTo(1);
                    assertThat(c.frames("participant-left")).as("participant-left seen by %s", c).isEmpty();
                    await("%s sees the late joiner".formatted(c)).atMost(Duration.ofSeconds(5))
                            .until(() -> c.participants().size() == CLIENTS);
                    assertThat(ids).containsAll(c.participants().keySet());
                }
                assertThat(redis.seats().occupancy(meetingId)).isEqualTo(CLIENTS + 1);
                ConveneClient last = attendees.getLast();
                last.sendChat("still here after the SFU died");
                await().atMost(Duration.ofSeconds(5)).until(() -> attendees.getFirst().chatMessages().stream()
                        .anyMatch(m -> m.text().equals("still here after the SFU died")));
                return new Result(recoveries, firstMigrate, lost);
            } finally {
                List<Future<?>> closing = new ArrayList<>();
                for (ConveneClient c : clients) {
                    closing.add(pool.submit(c::close));
                }
                for (ConveneClient c : latecomers) {
                    closing.add(pool.submit(c::close));
                }
                for (Future<?> f : closing) {
                    f.get(1, TimeUnit.MINUTES);
                }
                pool.shutdownNow();
            }
        }
    }

    /** {@code subscriber} receives no audio from {@code publisher}: the count stands still for a second. */
    private static void awaitSilent(ConveneClient subscriber, ConveneClient publisher, String when) {
        long[] last = {-1};
        await("%s's audio paused at %s %s".formatted(publisher, subscriber, when)).atMost(Duration.ofSeconds(15))
                .pollInterval(Duration.ofSeconds(1)).until(() -> {
                    long now = subscriber.received(publisher.participantId(), "audio").packets();
                    boolean still = now == last[0];
                    last[0] = now;
                    return still;
                });
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
