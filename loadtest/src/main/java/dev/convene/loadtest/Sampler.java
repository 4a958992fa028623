package dev.convene.loadtest;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * Once a second: the server's forwarded-packet rates from {@code /metrics}, its CPU from
 * {@code /proc}, the bots' latency of the second just past; kept for the charts and printed as
 * one progress line on stderr (rewritten in place on a terminal).
 */
final class Sampler implements AutoCloseable {

    static final String RTP_IN = "convene_sfu_packets_total{direction=\"in\",type=\"rtp\"}";
    static final String RTP_OUT = "convene_sfu_packets_total{direction=\"out\",type=\"rtp\"}";

    private final ServerProbe probe;
    private final MediaStats media;
    private final long originNanos;
    private final IntSupplier bots;
    private final Supplier<String> extra;
    private final String scenario;
    private final PrintStream out;
    private final boolean terminal = System.console() != null;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "loadtest-sampler");
        t.setDaemon(true);
        return t;
    });
    private final List<Report.Sample> samples = new ArrayList<>();
    private double lastT = Double.NaN;
    private double lastIn;
    private double lastOut;
    private ServerProbe.Cpu lastCpu = ServerProbe.Cpu.NONE;

    Sampler(String scenario, ServerProbe probe, MediaStats media, long originNanos, IntSupplier bots, Supplier<String> extra,
            PrintStream out) {
        this.scenario = scenario;
        this.probe = probe;
        this.media = media;
        this.originNanos = originNanos;
        this.bots = bots;
        this.extra = extra;
        this.out = out;
    }

    void start() {
        timer.scheduleAtFixedRate(this::sample, 0, 1, TimeUnit.SECONDS);
    }

    private void sample() {
        try {
            double t = (System.nanoTime() - originNanos) / 1e9;
            Map<String, Double> m = probe.scrape();
            double in = m.getOrDefault(RTP_IN, 0.0);
            double rtpOut = m.getOrDefault(RTP_OUT, 0.0);
            ServerProbe.Cpu cpu = probe.cpu();
            if (!Double.isNaN(lastT)) {
                double dt = t - lastT;
                LatencyHistogram second = media.second((int) Math.floor(t) - 1);
                Report.Sample s = new Report.Sample(round(t), (in - lastIn) / dt, (rtpOut - lastOut) / dt,
                        (cpu.processSeconds() - lastCpu.processSeconds()) / dt,
                        (cpu.mediaLoopSeconds() - lastCpu.mediaLoopSeconds()) / dt,
                        second.quantile(0.5) / 1000, second.quantile(0.99) / 1000, bots.getAsInt());
                synchronized (samples) {
                    samples.add(s);
                }
                print(s);
            }
            lastT = t;
            lastIn = in;
            lastOut = rtpOut;
            lastCpu = cpu;
        } catch (RuntimeException e) {
            if (!timer.isShutdown()) {
                out.println("[" + scenario + "] sample failed: " + e.getMessage());
            }
        }
    }

    private void print(Report.Sample s) {
        String line = String.format("[%s] t=%4.0fs bots=%d rtp in/out=%s/%s pkt/s cpu process=%.2f loop=%.2f cores "
                        + "latency p50=%s p99=%s %s",
                scenario, s.t(), s.bots(), si(s.rtpInPerSecond()), si(s.rtpOutPerSecond()), s.processCores(),
                s.mediaLoopCores(), ms(s.latencyP50Millis()), ms(s.latencyP99Millis()), extra.get());
        if (terminal) {
            out.print("\r" + line + "\033[K");
        } else {
            out.println(line);
        }
        out.flush();
    }

    List<Report.Sample> samples() {
        synchronized (samples) {
            return List.copyOf(samples);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(15, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (terminal) {
            out.println();
        }
    }

    private static String si(double v) {
        return v >= 10_000 ? String.format("%.1fk", v / 1000) : String.format("%.0f", v);
    }

    private static String ms(double v) {
        return Double.isNaN(v) ? "-" : String.format("%.2fms", v);
    }

    private static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }
}
