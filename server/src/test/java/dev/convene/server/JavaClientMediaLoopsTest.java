package dev.convene.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.convene.client.ConveneApi;
import dev.convene.client.ConveneClient;
import dev.convene.client.LocalTrack;
import dev.convene.sfu.negotiation.HostCandidate;
import dev.convene.sfu.room.LocalSfuNode;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An all-in-one server with two media loops (ADR 0036) and two meetings of Java clients over real
 * UDP, ICE, DTLS and SRTP on loopback: each meeting lands on its own loop — its clients are given
 * and reach only that loop's media port — everyone in each meeting hears everyone else, and the
 * two loops are two threads that both do work.
 */
@Timeout(120)
class JavaClientMediaLoopsTest {

    private static final Duration MEDIA_TIMEOUT = Duration.ofSeconds(30);

    private AllInOneServer server;
    private final List<ConveneClient> clients = new ArrayList<>();
    /** The SFU addresses each client's transports sent to (their chosen remote candidates), by client name. */
    private final Map<String, Set<InetSocketAddress>> sfuAddresses = new ConcurrentHashMap<>();

    @AfterEach
    void close() {
        for (ConveneClient c : clients) {
            try {
                c.close();
            } catch (RuntimeException e) {
                // Keep closing the others and the server.
            }
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void twoMeetingsRunOnTwoLoopsAndEveryoneHearsEveryoneInTheirMeeting() throws Exception {
        server = AllInOneServer.start(ServerOptions.forTests().withMediaLoops(2));
        LocalSfuNode sfu = server.sfu();
        assertThat(sfu.mediaLoopCount()).isEqualTo(2);
        List<Long> loopThreads = sfu.loopThreadIds();
        assertThat(loopThreads).as("the loops' threads").doesNotHaveDuplicates().hasSize(2);
        assertThat(sfu.mediaPorts()).as("the loops' UDP ports").doesNotHaveDuplicates();

        ConveneApi api = new ConveneApi(URI.create("http://127.0.0.1:" + server.httpPort()));
        String host = api.guestToken("Host").accessToken();
        String first = api.createMeeting(host, "first").meetingId();
        String second = api.createMeeting(host, "second").meetingId();

        // The first meeting's first join lands on the empty loop 0; the second then finds loop 1 emptier.
        List<ConveneClient> firstMeeting = List.of(join(api, first, "Ada"), join(api, first, "Grace"),
                join(api, first, "Linus"));
        List<ConveneClient> secondMeeting = List.of(join(api, second, "Barbara"), join(api, second, "Ken"));
        assertThat(sfu.loopOf(first)).contains(0);
        assertThat(sfu.loopOf(second)).contains(1);
        assertThat(sfu.participantsPerLoop()).containsExactly(3, 2);
        for (ConveneClient c : clients) {
            assertThat(c.publish()).extracting(LocalTrack::kind).containsExactly("audio");
        }

        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long[] cpuBefore = loopThreads.stream().mapToLong(threads::getThreadCpuTime).toArray();
        awaitEveryoneHearsEveryone(firstMeeting);
        awaitEveryoneHearsEveryone(secondMeeting);

        // Each client's transports went to its meeting's loop, and only there.
        assertReachedOnly(firstMeeting, sfu, 0);
        assertReachedOnly(secondMeeting, sfu, 1);
        // Both loops did work of their own (CPU time of each thread rose while the media flowed).
        for (int i = 0; i < loopThreads.size(); i++) {
            assertThat(threads.getThreadCpuTime(loopThreads.get(i))).as("CPU time of loop %d's thread", i)
                    .isGreaterThan(cpuBefore[i]);
        }
        // The node's advertised media port is loop 0's: what signaling's health probe reaches.
        assertThat(sfu.mediaPort()).isEqualTo(sfu.mediaPorts().getFirst());
    }

    private ConveneClient join(ConveneApi api, String meetingId, String name) {
        Set<InetSocketAddress> reached = ConcurrentHashMap.newKeySet();
        sfuAddresses.put(name, reached);
        ConveneClient.Options audioOnly = new ConveneClient.Options(Duration.ofSeconds(20), 0, true, false, false, true,
                true, address -> {
                    reached.add(address);
                    return address;
                }, address -> {
                    reached.add(address);
                    return address;
                }, true);
        ConveneClient client = ConveneClient.join(api, api.guestToken(name).accessToken(), meetingId, name, audioOnly);
        clients.add(client);
        return client;
    }

    private static void awaitEveryoneHearsEveryone(List<ConveneClient> meeting) {
        await().atMost(MEDIA_TIMEOUT).untilAsserted(() -> {
            for (ConveneClient receiver : meeting) {
                for (ConveneClient sender : meeting) {
                    if (sender != receiver) {
                        assertThat(receiver.received(sender.participantId(), "audio").packets())
                                .as("audio from %s at %s", sender.displayName(), receiver.displayName()).isGreaterThan(20);
                    }
                }
            }
        });
        Map<String, Long> before = audioCounts(meeting);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            Map<String, Long> now = audioCounts(meeting);
            before.forEach((key, count) -> assertThat(now.get(key)).as("still rising: %s", key).isGreaterThan(count + 10));
        });
    }

    private void assertReachedOnly(List<ConveneClient> meeting, LocalSfuNode sfu, int loop) {
        int port = sfu.mediaPorts().get(loop);
        assertThat(sfu.candidates(loop)).filteredOn(c -> c.transport().equals("udp")).extracting(HostCandidate::port)
                .containsOnly(port);
        Set<Integer> loopPorts = Set.copyOf(sfu.candidates(loop).stream().map(HostCandidate::port).toList());
        for (ConveneClient c : meeting) {
            // Every SDP the server sent (the publisher answer, the subscriber offers) names this loop's ports only.
            List<Integer> announced = c.frames().stream().filter(f -> f.hasNonNull("sdp"))
                    .flatMap(f -> f.path("sdp").asText().lines()).filter(l -> l.startsWith("a=candidate:"))
                    .map(l -> Integer.parseInt(l.split(" ")[5])).toList();
            assertThat(announced).as("candidate ports in the SDP %s received", c.displayName()).isNotEmpty()
                    .contains(port).allMatch(loopPorts::contains);
            assertThat(sfuAddresses.get(c.displayName())).as("SFU addresses %s's transports sent to", c.displayName())
                    .isNotEmpty().extracting(InetSocketAddress::getPort).containsOnly(port);
        }
    }

    private static Map<String, Long> audioCounts(List<ConveneClient> meeting) {
        Map<String, Long> counts = new HashMap<>();
        for (ConveneClient receiver : meeting) {
            for (ConveneClient sender : meeting) {
                if (sender != receiver) {
                    counts.put(receiver.displayName() + " <- " + sender.displayName(),
                            receiver.received(sender.participantId(), "audio").packets());
                }
            }
        }
        return counts;
    }
}
