package dev.convene.loadtest;

import dev.convene.client.ConveneApi;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/** What every scenario gets: the target, an API client, the server probe, the common options, a report to fill. */
final class LoadRun {

    final Target target;
    final ConveneApi api;
    final ServerProbe probe;
    final CommonOptions options;
    final Report.Builder report;
    final long originNanos = System.nanoTime();
    final PrintStream progress;

    LoadRun(String scenario, String command, Target target, CommonOptions options, PrintStream progress) {
        this.target = target;
        this.options = options;
        this.progress = progress;
        this.api = new ConveneApi(target.baseUrl());
        this.probe = new ServerProbe(api.httpClient(), URI.create(target.baseUrl() + "/metrics"), target.pid());
        this.report = new Report.Builder(scenario, Instant.now().toString(), command);
        report.target = target.description();
        report.machine.put("cores", Runtime.getRuntime().availableProcessors());
        report.machine.put("max_heap_bytes", Runtime.getRuntime().maxMemory());
        report.machine.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        report.machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        report.machine.put("load_average_at_start", loadAverage());
        report.parameter("duration_s", options.duration.toSeconds());
        report.parameter("warmup_s", options.warmup.toSeconds());
    }

    Duration clientTimeout() {
        return options.clientTimeout;
    }

    void say(String line) {
        progress.println("[" + report.scenario + "] " + line);
        progress.flush();
    }

    static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    static String loadAverage() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).strip();
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    private static final java.util.regex.Pattern LE = java.util.regex.Pattern.compile(
            "^convene_sfu_forward_delay_within(?:_total)?\\{.*le_us=\"([^\"]+)\".*}$");

    /**
     * The quantile of the SFU's forward-delay buckets between two scrapes, in µs, interpolated
     * inside a bucket; the bounds are read from the labels, so the tool follows the server's.
     */
    static double forwardDelayQuantile(Map<String, Double> before, Map<String, Double> after, double q) {
        java.util.TreeMap<Double, Double> cumulative = new java.util.TreeMap<>();
        for (Map.Entry<String, Double> e : after.entrySet()) {
            java.util.regex.Matcher m = LE.matcher(e.getKey());
            if (m.matches()) {
                double bound = m.group(1).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(m.group(1));
                cumulative.put(bound, e.getValue() - before.getOrDefault(e.getKey(), 0.0));
            }
        }
        Double total = cumulative.get(Double.POSITIVE_INFINITY);
        if (total == null || total <= 0) {
            return Double.NaN;
        }
        double rank = q * total;
        double low = 0;
        double below = 0;
        for (Map.Entry<Double, Double> e : cumulative.entrySet()) {
            if (e.getValue() >= rank) {
                if (e.getKey().isInfinite()) {
                    return low; // beyond the last bound: report the bound, a floor
                }
                double inBucket = e.getValue() - below;
                return inBucket <= 0 ? low : low + (e.getKey() - low) * (rank - below) / inBucket;
            }
            low = e.getKey();
            below = e.getValue();
        }
        return Double.NaN;
    }

    static double forwardDelayCount(Map<String, Double> before, Map<String, Double> after) {
        for (Map.Entry<String, Double> e : after.entrySet()) {
            java.util.regex.Matcher m = LE.matcher(e.getKey());
            if (m.matches() && m.group(1).equals("+Inf")) {
                return e.getValue() - before.getOrDefault(e.getKey(), 0.0);
            }
        }
        return 0;
    }
}
