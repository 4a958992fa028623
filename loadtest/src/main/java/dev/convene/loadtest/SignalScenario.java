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

    /**
     * @param sockets how many participants join
     * @param rate    joins started per second
     * @param idle    whether to hold them for the window and measure the heap (idle-sockets), or not (join-storm)
     */
    SignalScenario(LoadRun run, int sockets, double rate, boolean idle) {
        this.run = run;
        this.sockets = sockets;
        this.rate = rate;
        this.idle = idle;
    }

    Report execute() {
        Report.Builder report = run.report;
        report.parameter("sockets", sockets).parameter("rate_per_s", rate);
        checkFileDescriptors();
        int meetings = (sockets + Meetings.MAX_CAPACITY - 1) / Meetings.MAX_CAPACITY;
        run.say("minting " + sockets + " guest tokens and creating " + meetings + " meetings");
        List<String> meetingIds = new ArrayList<>();
        String host = run.api.guestToken("loadtest-host").accessToken();
        for (int m = 0; m < meetings; m++) {
            meetingIds.add(Meetings.create(run.api, host, report.scenario + " " + m, Meetings.MAX_CAPACITY));
        }
        List<String> tokens = mintTokens();
        List<HttpClient> clients = clients();
        MediaStats noMedia = new MediaStats(run.originNanos, 1);
        List<SignalBot> joined = new ArrayList<>();
        AtomicInteger failures = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        long heapBefore = idle ? run.probe.heapAfterGc() : -1;
        ScheduledExecutorService timer = Executors.newScheduledThreadPool(1, r -> {
            Thread t = new Thread(r, "loadtest-signal-timer");
            t.setDaemon(true);
            return t;
        });
        Sampler sampler = new Sampler(report.scenario, run.probe, noMedia, run.originNanos, done::get,
                () -> "joined=" + (done.get() - failures.get()) + " failed=" + failures.get(), run.progress);
        sampler.start();
        try {
            List<CompletableFuture<SignalBot>> futures = new ArrayList<>(sockets);
            long start = System.nanoTime();
            for (int i = 0; i < sockets; i++) {
                long due = start + (long) (i * 1e9 / rate);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    java.util.concurrent.locks.LockSupport.parkNanos(wait);
                }
                HttpClient http = clients.get(i / SOCKETS_PER_SOURCE_ADDRESS % clients.size());
                CompletableFuture<SignalBot> f = SignalBot.join(http, run.target.baseUrl(), tokens.get(i),
                        meetingIds.get(i / Meetings.MAX_CAPACITY), "idle-" + i, timer, run.clientTimeout());
                f.whenComplete((b, e) -> {
                    done.incrementAndGet();
                    if (e != null && failures.incrementAndGet() <= 5) {
                        run.say("join failed: " + e);
                    }
                });
                futures.add(f);
            }
            List<Double> latencies = new ArrayList<>();
            long lastJoined = start;
            for (CompletableFuture<SignalBot> f : futures) {
                try {
                    SignalBot b = f.get(run.clientTimeout().toMillis() + 5_000, TimeUnit.MILLISECONDS);
                    joined.add(b);
                    latencies.add(b.joinMillis());
                    lastJoined = Math.max(lastJoined, b.joinedNanos);
                } catch (Exception e) {
                    // Counted by the completion handler.
                }
            }
            double seconds = (lastJoined - start) / 1e9;
            latencies.sort(null);
            report.result("joins", joined.size()).result("join_failures", sockets - joined.size())
                    .result("joins_per_s", seconds > 0 ? joined.size() / seconds : Double.NaN)
                    .result("join_ms_p50", MediaScenario.quantile(latencies, 0.5))
                    .result("join_ms_p99", MediaScenario.quantile(latencies, 0.99))
                    .result("join_ms_max", latencies.isEmpty() ? Double.NaN : latencies.get(latencies.size() - 1));
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

    private List<String> mintTokens() {
        List<String> tokens = new ArrayList<>(sockets);
        Semaphore slots = new Semaphore(32);
        List<Future<String>> futures = new ArrayList<>(sockets);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < sockets; i++) {
                String name = "idle-" + i;
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
            HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(run.clientTimeout());
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
        long needed = (long) sockets * (run.probe.inProcess() ? 2 : 1) + 2_000;
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
