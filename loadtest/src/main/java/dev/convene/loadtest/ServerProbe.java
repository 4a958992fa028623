package dev.convene.loadtest;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the server says about itself: its {@code /metrics} (forwarded packets, the SFU's
 * forward-delay buckets) and, when we know its process id, the CPU time of the process and of
 * its media event loops from {@code /proc/<pid>/task/<tid>/stat}, its RSS, and its heap after a
 * GC (in process: the MXBean; another JVM: {@code jcmd}).
 */
final class ServerProbe {

    /**
     * The SFU names each media loop's thread {@code convene-media-<loop>-…} (ADR 0036); {@code comm}
     * keeps 15 characters, this prefix fits in them.
     */
    static final String MEDIA_LOOP_THREAD_PREFIX = "convene-media";

    /**
     * CPU seconds used so far, by the whole process and by its media loop threads, and of the
     * loops' the part spent in the kernel (stime): on loopback that is mostly delivering each sent
     * datagram into its receiver's socket inside {@code sendmmsg}, which on a NIC is a transmit
     * descriptor (docs/performance.md).
     */
    record Cpu(double processSeconds, double mediaLoopSeconds, double mediaLoopKernelSeconds) {
        static final Cpu NONE = new Cpu(Double.NaN, Double.NaN, Double.NaN);
    }

    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*\\})?\\s+(\\S+)$");
    private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");

    private final HttpClient http;
    private final URI metrics;
    private final long pid;
    private final long ticksPerSecond;

    /** @param pid the server's process id, or -1 when unknown (another machine): no CPU, RSS or heap then */
    ServerProbe(HttpClient http, URI metrics, long pid) {
        this.http = http;
        this.metrics = metrics;
        this.pid = pid;
        this.ticksPerSecond = clockTicks();
    }

    long pid() {
        return pid;
    }

    boolean inProcess() {
        return pid == ProcessHandle.current().pid();
    }

    /** Every sample of {@code /metrics}, keyed as Prometheus prints it: {@code name{labels}}. */
    Map<String, Double> scrape() {
        HttpRequest request = HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(10)).GET().build();
        String body;
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("GET " + metrics + " answered " + response.statusCode());
            }
            body = response.body();
        } catch (IOException e) {
            throw new IllegalStateException("GET " + metrics + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        return parse(body);
    }

    static Map<String, Double> parse(String body) {
        Map<String, Double> samples = new HashMap<>();
        for (String line : body.split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            Matcher m = SAMPLE.matcher(line.strip());
            if (m.matches()) {
                try {
                    samples.put(m.group(1) + (m.group(2) == null ? "" : m.group(2)), Double.parseDouble(m.group(3)));
                } catch (NumberFormatException e) {
                    // A value Prometheus allows that we do not read (none today): skip it.
                }
            }
        }
        return samples;
    }

    /** The CPU the process and its media loops have used so far; {@link Cpu#NONE} without a pid. */
    Cpu cpu() {
        if (pid < 0) {
            return Cpu.NONE;
        }
        // The process's own stat counts threads that have ended too; the tasks' sum would drop when one does.
        long total = ticks(Path.of("/proc", Long.toString(pid), "stat"));
        if (total < 0) {
            return Cpu.NONE;
        }
        long loops = 0;
        long loopsKernel = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks) {
                String stat;
                try {
                    stat = Files.readString(task.resolve("stat"));
                } catch (IOException e) {
                    continue; // the thread ended meanwhile
                }
                String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                if (comm.startsWith(MEDIA_LOOP_THREAD_PREFIX)) {
                    loops += ticks(stat);
                    loopsKernel += kernelTicks(stat);
                }
            }
        } catch (IOException e) {
            return Cpu.NONE;
        }
        return new Cpu((double) total / ticksPerSecond, (double) loops / ticksPerSecond,
                (double) loopsKernel / ticksPerSecond);
    }

    private static long ticks(Path stat) {
        try {
            return ticks(Files.readString(stat));
        } catch (IOException e) {
            return -1;
        }
    }

    /** utime + stime: fields 14 and 15 of stat, the 12th and 13th after the parenthesised comm. */
    private static long ticks(String stat) {
        String[] f = statFields(stat);
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    /** stime alone: field 15. */
    private static long kernelTicks(String stat) {
        return Long.parseLong(statFields(stat)[12]);
    }

    private static String[] statFields(String stat) {
        return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    }

    /** Resident set size in bytes, or -1. */
    long rssBytes() {
        if (pid < 0) {
            return -1;
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return -1;
    }

    /** Heap in use right after a full GC, in bytes; -1 if it cannot be had. */
    long heapAfterGc() {
        if (inProcess()) {
            for (int i = 0; i < 2; i++) {
                System.gc();
            }
            return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        }
        if (pid < 0) {
            return -1;
        }
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        if (!Files.isExecutable(jcmd)) {
            return -1;
        }
        try {
            run(jcmd.toString(), Long.toString(pid), "GC.run");
            Matcher m = HEAP_USED.matcher(run(jcmd.toString(), Long.toString(pid), "GC.heap_info"));
            return m.find() ? Long.parseLong(m.group(1)) * 1024 : -1;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        return out;
    }

    private static long clockTicks() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).strip();
            p.waitFor(5, TimeUnit.SECONDS);
            return Long.parseLong(out);
        } catch (IOException | NumberFormatException e) {
            return 100;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 100;
        }
    }
}
