package dev.convene.loadtest;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The signaling-only scenarios: a join storm (joins per second and their latency, from the REST
 * join to {@code joined}) and mostly idle sockets (heap per socket). Joins are paced open-loop at
 * a rate, so a slow server shows as latency, not as a slower storm.
 */
final class SignalScenario {

    /** Loopback source ports per address (32768–60999 by default): sockets are spread over 127.0.0.x beyond that. */
    private static final int SOCKETS_PER_SOURCE_ADDRESS = 20_000;

    private final LoadRun run;
    private final int sockets;
    private final double rate;
    private final boolean idle;
    private final int warmupJoins;

    /**
     * @param sockets     how many participants join
     * @param rate        joins started per second
     * @param idle        whether to hold them for the window and measure the heap (idle-sockets), or not (join-storm)
     * @param warmupJoins joins made and closed before the measured ones, then {@code --warmup} of rest
     */
    SignalScenario(LoadRun run, int sockets, double rate, boolean idle, int warmupJoins) {
        this.run = run;
        this.sockets = sockets;
        this.rate = rate;
        this.idle = idle;
        this.warmupJoins = warmupJoins;
    }

    Report execute() {
        Report.Builder report = run.report;
        report.parameter("sockets", sockets).parameter("rate_per_s", rate).parameter("warmup_joins", warmupJoins);
        checkFileDescriptors();
        String host = run.api.guestToken("loadtest-host").accessToken();
        List<String> warmupMeetings = meetings(host, warmupJoins, "warm-up");
        List<String> meetingIds = meetings(host, sockets, report.scenario);
        run.say("minting " + (warmupJoins + sockets) + " guest tokens and creating " + (warmupMeetings.size() + meetingIds.size())
                + " meetings");
        List<String> warmupTokens = mintTokens(warmupJoins, "warm-");
        List<String> tokens = mintTokens(sockets, "idle-");
        List<HttpClient> clients = clients();
        MediaStats noMedia = new MediaStats(run.originNanos, 1);
        SignalBot.Refusals refusals = new SignalBot.Refusals();
        List<SignalBot> joined = new ArrayList<>();
        AtomicInteger failures = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        ScheduledExecutorService timer = Executors.newScheduledThreadPool(1, r -> {
            Thread t = new Thread(r, "loadtest-signal-timer");
            t.setDaemon(true);
            return t;
        });
        Sampler sampler = new Sampler(report.scenario, run.probe, noMedia, run.originNanos, done::get,
                () -> "joined=" + (done.get() - failures.get()) + " failed=" + failures.get()
                        + " 503=" + (refusals.rest503.sum() + refusals.upgrade503.sum()), run.progress);
        sampler.start();
        try {
            if (warmupJoins > 0) {
                // The same path at the same rate first, then closed: the JITs of both ends compile it before the
                // measured storm, which otherwise pays for compilation in its latency (a fresh load-tool JVM each run).
                run.say("warm-up: " + warmupJoins + " joins at " + rate + "/s, then closed");
                SignalBot.Refusals warmupRefusals = new SignalBot.Refusals();
                List<SignalBot> warm = new ArrayList<>();
                storm(warmupTokens, warmupMeetings, clients, timer, warmupRefusals, new AtomicInteger(), new AtomicInteger(), warm);
                warm.forEach(SignalBot::close);
                report.result("warmup_joined", warm.size());
                LoadRun.sleep(run.options.warmup);
            }
            long heapBefore = idle ? run.probe.heapAfterGc() : -1;
            ServerProbe.Cpu serverCpuBefore = run.probe.cpu();
            long toolCpuBefore = toolCpuNanos();
            long start = System.nanoTime();
            List<Double> latencies = new ArrayList<>();
            List<Double> restMs = new ArrayList<>();
            List<Double> upgradeMs = new ArrayList<>();
            List<Double> joinFrameMs = new ArrayList<>();
            for (SignalBot b : storm(tokens, meetingIds, clients, timer, refusals, done, failures, joined)) {
                latencies.add(b.joinMillis());
                restMs.add((b.restNanos - b.startNanos) / 1e6);
                upgradeMs.add((b.openNanos - b.restNanos) / 1e6);
                joinFrameMs.add((b.joinedNanos - b.openNanos) / 1e6);
            }
            ServerProbe.Cpu serverCpuAfter = run.probe.cpu();
            long toolCpuAfter = toolCpuNanos();
            long lastJoined = joined.stream().mapToLong(b -> b.joinedNanos).max().orElse(start);
            double seconds = (lastJoined - start) / 1e9;
            latencies.sort(null);
            restMs.sort(null);
            upgradeMs.sort(null);
            joinFrameMs.sort(null);
            report.result("joins", joined.size()).result("join_failures", sockets - joined.size())
                    .result("joins_per_s", seconds > 0 ? joined.size() / seconds : Double.NaN)
                    .result("join_ms_p50", MediaScenario.quantile(latencies, 0.5))
                    .result("join_ms_p99", MediaScenario.quantile(latencies, 0.99))
                    .result("join_ms_max", latencies.isEmpty() ? Double.NaN : latencies.get(latencies.size() - 1))
                    // The three steps of a join, so a slow one says where it waited.
                    .result("rest_join_ms_p50", MediaScenario.quantile(restMs, 0.5))
                    .result("rest_join_ms_p99", MediaScenario.quantile(restMs, 0.99))
                    .result("socket_open_ms_p50", MediaScenario.quantile(upgradeMs, 0.5))
                    .result("socket_open_ms_p99", MediaScenario.quantile(upgradeMs, 0.99))
                    .result("join_frame_ms_p50", MediaScenario.quantile(joinFrameMs, 0.5))
                    .result("join_frame_ms_p99", MediaScenario.quantile(joinFrameMs, 0.99))
                    // Overload answers (ADR 0037): refused, then retried after Retry-After; a latency includes its waits.
                    .result("rest_join_503", refusals.rest503.sum())
                    .result("upgrade_503", refusals.upgrade503.sum())
                    .result("retries_after_503", refusals.retries.sum())
                    // What a join costs each side, over the storm from its first start to its last answer. With the
                    // server in this process (--embedded) the two are the same process.
                    .result("server_cpu_ms_per_join", joined.isEmpty() ? Double.NaN
                            : (serverCpuAfter.processSeconds() - serverCpuBefore.processSeconds()) * 1000 / joined.size())
                    .result("tool_cpu_ms_per_join", joined.isEmpty() || toolCpuBefore < 0 ? Double.NaN
                            : (toolCpuAfter - toolCpuBefore) / 1e6 / joined.size())
                    .result("sockets_closed_after_joined", joined.stream().filter(b -> !b.open()).count());
            if (joined.stream().anyMatch(b -> !b.open())) {
                report.note("Joined sockets the server closed by the end of the storm, by close code (-1: no close frame): "
                        + closeCodes(joined));
            }
            report.check("every join completed", joined.size() == sockets, joined.size() + " of " + sockets);
            report.check("join latencies positive and below the client timeout",
                    !latencies.isEmpty() && latencies.get(0) > 0
                            && latencies.get(latencies.size() - 1) < run.clientTimeout().toMillis(),
                    latencies.isEmpty() ? "none" : String.format("min %.1f ms, max %.1f ms", latencies.get(0),
                            latencies.get(latencies.size() - 1)));
            if (idle) {
                run.say(joined.size() + " sockets joined; holding them for " + run.options.duration.toSeconds() + " s");
                LoadRun.sleep(run.options.duration);
                long heapAfter = run.probe.heapAfterGc();
                long open = joined.stream().filter(SignalBot::open).count();
                report.result("sockets_open_after_window", open);
                report.check("every socket still open after the idle window (pings keep it)", open == joined.size(),
                        open + " of " + joined.size());
                if (heapBefore > 0 && heapAfter > 0 && !joined.isEmpty()) {
                    report.result("heap_bytes_per_socket", (double) (heapAfter - heapBefore) / joined.size())
                            .result("heap_bytes_before", heapBefore)
                            .result("heap_bytes_after", heapAfter);
                    report.check("heap grew with the sockets", heapAfter > heapBefore,
                            String.format("before %d, after %d", heapBefore, heapAfter));
                }
                if (run.probe.inProcess()) {
                    report.note("Embedded: the heap per socket counts both ends (java.net.http client and Jetty server).");
                }
            }
        } finally {
            sampler.close();
            report.series = sampler.samples();
            for (SignalBot b : joined) {
                b.close();
            }
            timer.shutdownNow();
            for (HttpClient c : clients) {
                c.shutdownNow();
            }
        }
        return report.build();
    }

    /**
     * Joins one participant per token, paced open-loop at {@link #rate}, and waits for them all;
     * adds the joined to {@code joined} and returns them.
     */
    private List<SignalBot> storm(List<String> tokens, List<String> meetingIds, List<HttpClient> clients,
            ScheduledExecutorService timer, SignalBot.Refusals refusals, AtomicInteger done, AtomicInteger failures,
            List<SignalBot> joined) {
        List<CompletableFuture<SignalBot>> futures = new ArrayList<>(tokens.size());
        long start = System.nanoTime();
        for (int i = 0; i < tokens.size(); i++) {
            long due = start + (long) (i * 1e9 / rate);
            long wait = due - System.nanoTime();
            if (wait > 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(wait);
            }
            HttpClient http = clients.get(i / SOCKETS_PER_SOURCE_ADDRESS % clients.size());
            CompletableFuture<SignalBot> f = SignalBot.join(http, run.target.baseUrl(), tokens.get(i),
                    meetingIds.get(i / Meetings.MAX_CAPACITY), "idle-" + i, timer, run.clientTimeout(), refusals);
            f.whenComplete((b, e) -> {
                done.incrementAndGet();
                if (e != null && failures.incrementAndGet() <= 5) {
                    run.say("join failed: " + e);
                }
            });
            futures.add(f);
        }
        List<SignalBot> these = new ArrayList<>();
        for (CompletableFuture<SignalBot> f : futures) {
            try {
                these.add(f.get(run.clientTimeout().toMillis() + 5_000, TimeUnit.MILLISECONDS));
            } catch (Exception e) {
                // Counted by the completion handler.
            }
        }
        joined.addAll(these);
        return these;
    }

    /** Close codes of the joined sockets no longer open, e.g. {@code {1001=3}}; -1 for a connection lost without a close frame. */
    private static String closeCodes(List<SignalBot> joined) {
        java.util.Map<Integer, Integer> codes = new java.util.TreeMap<>();
        for (SignalBot b : joined) {
            if (!b.open()) {
                codes.merge(b.closeCode(), 1, Integer::sum);
            }
        }
        return codes.toString();
    }

    /** CPU time of this process (every thread, the JIT's and the collector's included), or -1. */
    private static long toolCpuNanos() {
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }

    private List<String> meetings(String host, int participants, String title) {
        List<String> ids = new ArrayList<>();
        int meetings = (participants + Meetings.MAX_CAPACITY - 1) / Meetings.MAX_CAPACITY;
        for (int m = 0; m < meetings; m++) {
            ids.add(Meetings.create(run.api, host, title + " " + m, Meetings.MAX_CAPACITY));
        }
        return ids;
    }

    private List<String> mintTokens(int count, String prefix) {
        List<String> tokens = new ArrayList<>(count);
        Semaphore slots = new Semaphore(32);
        List<Future<String>> futures = new ArrayList<>(count);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < count; i++) {
                String name = prefix + i;
                futures.add(pool.submit(() -> {
                    slots.acquireUninterruptibly();
                    try {
                        return run.api.guestToken(name).accessToken();
                    } finally {
                        slots.release();
                    }
                }));
            }
            for (Future<String> f : futures) {
                tokens.add(f.get());
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot mint guest tokens: " + e, e);
        }
        return tokens;
    }

    /** One HTTP client per 20,000 sockets, each from its own 127.0.0.x when the server is on loopback. */
    private List<HttpClient> clients() {
        int n = (sockets + SOCKETS_PER_SOURCE_ADDRESS - 1) / SOCKETS_PER_SOURCE_ADDRESS;
        boolean loopback;
        try {
            loopback = InetAddress.getByName(run.target.baseUrl().getHost()).isLoopbackAddress();
        } catch (UnknownHostException e) {
            loopback = false;
        }
        List<HttpClient> clients = new ArrayList<>();
        for (int i = 0; i < Math.max(1, n); i++) {
            // HTTP/1.1 as the server speaks it: the default (HTTP/2) sends every first request on a
            // connection as an h2c upgrade attempt that the server ignores.
            HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(run.clientTimeout());
            if (loopback && n > 1) {
                try {
                    b.localAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) (2 + i)}));
                } catch (UnknownHostException e) {
                    throw new IllegalStateException(e);
                }
            }
            clients.add(b.build());
        }
        return clients;
    }

    /** Fails early, with what to do, when this process may not open the sockets it needs. */
    private void checkFileDescriptors() {
        long needed = (long) sockets * (run.probe.inProcess() ? 2 : 1) + 2_000 + warmupJoins;
        long limit = openFileLimit();
        if (limit > 0 && needed > limit) {
            throw new IllegalStateException("this run needs about " + needed + " file descriptors but the limit is " + limit
                    + ": raise it first (e.g. `ulimit -n " + (needed + 10_000) + "`)");
        }
    }

    private static long openFileLimit() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    String[] f = line.substring("Max open files".length()).trim().split("\\s+");
                    return f[0].equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(f[0]);
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }


}
