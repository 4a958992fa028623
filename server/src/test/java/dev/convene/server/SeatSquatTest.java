package dev.convene.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 17, done-when 2, against the all-in-one server with its default limits. Clients take
 * distinct loopback source addresses (127.0.0.0/8 is all loopback on Linux), so the per-address
 * limits see a squatter, a real user and a crowd as the different addresses they would be.
 */
class SeatSquatTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration SQUAT = Duration.ofSeconds(60);
    private static final Duration SQUAT_PERIOD = Duration.ofMillis(20);
    private static final int SQUAT_MAX_REQUESTS = 10_000;
    private static final Duration REAL_USER_RETRY = Duration.ofSeconds(2);
    private static final int REAL_USER_MAX_TRIES = 10;

    private static AllInOneServer server;
    private static String base;

    @BeforeAll
    static void start() throws InterruptedException {
        server = AllInOneServer.start(ServerOptions.forTests());
        base = "http://127.0.0.1:" + server.httpPort();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static HttpClient from(String sourceAddress) {
        try {
            return HttpClient.newBuilder().localAddress(InetAddress.getByName(sourceAddress))
                    .connectTimeout(Duration.ofSeconds(5)).build();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private record Answer(int status, JsonNode body) {}

    private static Answer call(HttpClient http, String method, String path, String token, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(r.statusCode(), r.body().isEmpty() ? null : JSON.readTree(r.body()));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String guest(HttpClient http, String name) {
        Answer a = call(http, "POST", "/v1/auth/guest", null, "{\"display_name\":\"" + name + "\"}");
        return a.status() == 200 ? a.body().get("access_token").asText() : null;
    }

    /** Opens the socket of a join answer, sends {@code join}, and waits for {@code joined}. */
    private static WebSocket enter(HttpClient http, JsonNode joinAnswer) {
        CompletableFuture<Void> joined = new CompletableFuture<>();
        WebSocket ws = http.newWebSocketBuilder().buildAsync(
                URI.create(joinAnswer.get("signaling_url").asText() + "?token=" + joinAnswer.get("token").asText()),
                new WebSocket.Listener() {
                    private final StringBuilder text = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                        text.append(data);
                        if (last) {
                            if (text.toString().contains("\"type\":\"joined\"")) {
                                joined.complete(null);
                            }
                            text.setLength(0);
                        }
                        w.request(1);
                        return null;
                    }
                }).orTimeout(5, TimeUnit.SECONDS).join();
        ws.sendText("{\"v\":1,\"type\":\"join\",\"request_id\":\"j\"}", true).join();
        joined.orTimeout(10, TimeUnit.SECONDS).join();
        return ws;
    }

    @Test
    void aSquatterMintingAndJoiningForAMinuteCannotKeepARealUserOut() throws Exception {
        HttpClient hostHttp = from("127.0.0.4");
        String hostToken = guest(hostHttp, "Host");
        String meeting = call(hostHttp, "POST", "/v1/meetings", hostToken, "{\"title\":\"Squat\",\"capacity\":20}")
                .body().get("meeting_id").asText();
        UUID meetingId = UUID.fromString(meeting);

        HttpClient squatterHttp = from("127.0.0.2");
        AtomicInteger requests = new AtomicInteger();
        AtomicInteger minted = new AtomicInteger();
        AtomicInteger mintRefused = new AtomicInteger();
        AtomicInteger admitted = new AtomicInteger();
        AtomicInteger joinLimited = new AtomicInteger();
        AtomicInteger full = new AtomicInteger();
        AtomicInteger maxOccupancy = new AtomicInteger();
        AtomicReference<String> squatToken = new AtomicReference<>();
        AtomicInteger usesOfToken = new AtomicInteger();
        ConcurrentLinkedQueue<String> unexpected = new ConcurrentLinkedQueue<>();

        // The squatter: a fresh guest token for every three joins, never a socket, as fast as
        // answers allow (a 429 only makes it try again on the next step).
        Runnable squatStep = () -> {
            if (requests.get() >= SQUAT_MAX_REQUESTS) {
                return;
            }
            if (squatToken.get() == null || usesOfToken.get() >= 3) {
                requests.incrementAndGet();
                String t = guest(squatterHttp, "Squatter " + minted.get());
                if (t == null) {
                    mintRefused.incrementAndGet();
                    return;
                }
                minted.incrementAndGet();
                squatToken.set(t);
                usesOfToken.set(0);
            }
            usesOfToken.incrementAndGet();
            requests.incrementAndGet();
            Answer a = call(squatterHttp, "GET", "/v1/meetings/" + meeting + "/join", squatToken.get(), null);
            switch (a.status()) {
                case 200 -> admitted.incrementAndGet();
                case 429 -> joinLimited.incrementAndGet();
                case 409 -> full.incrementAndGet();
                default -> unexpected.add(a.status() + " " + a.body());
            }
            maxOccupancy.accumulateAndGet(server.stores().seats().occupancy(meetingId), Math::max);
        };

        // Real users, each from its own address, start at 10 s, 25 s, 40 s and 55 s into the squat
        // and retry every 2 s until they are in.
        HttpClient realHttp = from("127.0.0.3");
        List<Long> millisToEnter = new ArrayList<>();
        List<String> realRefusals = new ArrayList<>();
        List<WebSocket> inside = new ArrayList<>();
        ScheduledExecutorService squatter = Executors.newSingleThreadScheduledExecutor();
        long start = System.nanoTime();
        try {
            squatter.scheduleWithFixedDelay(squatStep, 0, SQUAT_PERIOD.toMillis(), TimeUnit.MILLISECONDS);
            for (int user = 0; user < 4; user++) {
                long startAt = start + TimeUnit.SECONDS.toNanos(10 + 15L * user);
                awaitNanoTime(startAt);
                long begin = System.nanoTime();
                String token = guest(realHttp, "Real user " + user);
                assertThat(token).as("the real user's own address mints freely").isNotNull();
                JsonNode grant = null;
                for (int attempt = 0; attempt < REAL_USER_MAX_TRIES && grant == null; attempt++) {
                    if (attempt > 0) {
                        awaitNanoTime(begin + attempt * REAL_USER_RETRY.toNanos());
                    }
                    Answer a = call(realHttp, "GET", "/v1/meetings/" + meeting + "/join", token, null);
                    if (a.status() == 200) {
                        grant = a.body();
                    } else {
                        realRefusals.add("user " + user + ": " + a.status() + " " + a.body().path("code").asText());
                    }
                }
                assertThat(grant).as("real user %d got a seat", user).isNotNull();
                inside.add(enter(realHttp, grant));
                millisToEnter.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin));
            }
            awaitNanoTime(start + SQUAT.toNanos());
        } finally {
            squatter.shutdownNow();
            squatter.awaitTermination(15, TimeUnit.SECONDS);
        }
        System.out.printf("squat: %d s, %d requests from one address: %d guest tokens minted, %d mints refused (429), "
                        + "%d joins admitted, %d joins refused 429, %d refused 409; most seats taken at once %d of 20; "
                        + "real users entered after %s ms (refused on the way: %s)%n",
                SQUAT.toSeconds(), requests.get(), minted.get(), mintRefused.get(), admitted.get(), joinLimited.get(),
                full.get(), maxOccupancy.get(), millisToEnter, realRefusals);

        assertThat(unexpected).isEmpty();
        assertThat(millisToEnter).hasSize(4).allSatisfy(ms -> assertThat(ms).isLessThan(10_000));
        // The squatter held at most its 3 unclaimed seats besides the real users: never the meeting.
        assertThat(maxOccupancy.get()).isLessThanOrEqualTo(3 + 4);
        assertThat(joinLimited.get()).as("the squatter hit its limits").isPositive();
        assertThat(mintRefused.get()).as("guest minting is limited").isPositive();
        assertThat(requests.get()).isLessThan(SQUAT_MAX_REQUESTS);
        for (WebSocket ws : inside) {
            ws.sendClose(1000, "bye");
        }
    }

    @Test
    void threeHundredJoinsFromAHundredAddressesAdmitExactlyTheCapacity() throws Exception {
        HttpClient hostHttp = from("127.0.0.4");
        String hostToken = guest(hostHttp, "Host");
        String meeting = call(hostHttp, "POST", "/v1/meetings", hostToken, "{\"title\":\"Race\",\"capacity\":100}")
                .body().get("meeting_id").asText();
        List<HttpClient> clients = new ArrayList<>();
        List<String> tokens = new ArrayList<>();
        for (int a = 0; a < 100; a++) {
            HttpClient http = from("127.0.1." + (a + 1));
            clients.add(http);
            for (int u = 0; u < 3; u++) {
                tokens.add(guest(http, "User " + a + "." + u));
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(64);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<Integer>> statuses = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                HttpClient http = clients.get(i / 3);
                String token = tokens.get(i);
                statuses.add(pool.submit(() -> {
                    go.await();
                    return call(http, "GET", "/v1/meetings/" + meeting + "/join", token, null).status();
                }));
            }
            go.countDown();
            int ok = 0;
            int full = 0;
            for (Future<Integer> f : statuses) {
                int s = f.get(60, TimeUnit.SECONDS);
                ok += s == 200 ? 1 : 0;
                full += s == 409 ? 1 : 0;
            }
            assertThat(ok).isEqualTo(100);
            assertThat(full).isEqualTo(200);
            assertThat(server.stores().seats().occupancy(UUID.fromString(meeting))).isEqualTo(100);
        } finally {
            pool.shutdownNow();
            clients.forEach(HttpClient::close);
        }
    }

    private static void awaitNanoTime(long deadline) {
        org.awaitility.Awaitility.await().pollInterval(Duration.ofMillis(10)).atMost(Duration.ofSeconds(90))
                .until(() -> System.nanoTime() >= deadline);
    }
}
