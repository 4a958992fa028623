package dev.convene.loadtest;

import dev.convene.client.ConveneClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Meetings of bots with media, measured: every scenario but the signaling-only ones is a list of
 * meetings, each with some publishers (audio + video) and some bots that only subscribe. Bots
 * join a few at a time, publishers publish, every subscriber is waited for until it hears every
 * publisher of its meeting, media warms up, then the window is measured from counters read on
 * both ends and the server's {@code /metrics} and {@code /proc}.
 */
final class MediaScenario {

    /** One meeting: how many bots publish and how many only subscribe. */
    record MeetingPlan(int publishers, int subscribers) {
        int size() {
            return publishers + subscribers;
        }
    }

    /** How long every subscriber may take to hear every publisher once all have joined. */
    private static final Duration SETTLE_LIMIT = Duration.ofSeconds(60);

    private final LoadRun run;
    private final List<MeetingPlan> plans;
    private final boolean simulcast;
    private final int lastN;

    MediaScenario(LoadRun run, List<MeetingPlan> plans, boolean simulcast, int lastN) {
        this.run = run;
        this.plans = List.copyOf(plans);
        this.simulcast = simulcast;
        this.lastN = lastN;
    }

    Report execute() {
        Report.Builder report = run.report;
        int participants = plans.stream().mapToInt(MeetingPlan::size).sum();
        int publishers = plans.stream().mapToInt(MeetingPlan::publishers).sum();
        report.parameter("meetings", plans.size()).parameter("participants", participants).parameter("publishers", publishers)
                .parameter("simulcast", simulcast).parameter("last_n", lastN);
        MediaStats stats = new MediaStats(run.originNanos,
                (int) (run.options.duration.toSeconds() + run.options.warmup.toSeconds()) + 3600);
        List<MediaBot> bots = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger joinFailures = new AtomicInteger();
        long heapBefore = run.probe.heapAfterGc();
        long rssBefore = run.probe.rssBytes();
        Sampler sampler = new Sampler(report.scenario, run.probe, stats, run.originNanos, bots::size,
                () -> joinFailures.get() > 0 ? "join failures=" + joinFailures.get() : "", run.progress);
        sampler.start();
        try {
            long joinStart = System.nanoTime();
            joinAll(stats, bots, joinFailures);
            double joinSeconds = (System.nanoTime() - joinStart) / 1e9;
            report.result("bots_joined", bots.size()).result("join_failures", joinFailures.get())
                    .result("join_phase_s", joinSeconds);
            List<Double> joins = bots.stream().map(b -> b.joinMillis).sorted().toList();
            List<Double> publishes = bots.stream().filter(b -> b.publisher).map(b -> b.publishMillis)
                    .filter(d -> !d.isNaN()).sorted().toList();
            report.result("join_ms_p50", quantile(joins, 0.5)).result("join_ms_p99", quantile(joins, 0.99))
                    .result("publish_ms_p50", quantile(publishes, 0.5)).result("publish_ms_p99", quantile(publishes, 0.99));
            boolean settled = settle(bots);
            report.check("every subscriber hears every publisher of its meeting", settled,
                    settled ? "within " + SETTLE_LIMIT.toSeconds() + " s" : "not within " + SETTLE_LIMIT.toSeconds() + " s");
            run.say("all " + bots.size() + " bots joined in " + String.format("%.1f", joinSeconds) + " s; warming up");
            LoadRun.sleep(run.options.warmup);
            measure(stats, bots, participants, heapBefore, rssBefore);
        } finally {
            sampler.close();
            report.series = sampler.samples();
            closeAll(bots);
        }
        return report.build();
    }

    private void joinAll(MediaStats stats, List<MediaBot> bots, AtomicInteger failures) {
        ConveneClient.Options options = ClientFeatures.options(simulcast, run.clientTimeout());
        Semaphore slots = new Semaphore(Math.max(1, run.options.joinConcurrency));
        List<Future<?>> joins = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            int meetingIndex = 0;
            for (MeetingPlan plan : plans) {
                String host = run.api.guestToken("loadtest-host").accessToken();
                String meetingId = Meetings.create(run.api, host, run.report.scenario + " " + meetingIndex, plan.size());
                for (int i = 0; i < plan.size(); i++) {
                    boolean publisher = i < plan.publishers();
                    String name = "bot-" + meetingIndex + "-" + i;
                    int index = i;
                    joins.add(pool.submit(() -> {
                        slots.acquireUninterruptibly();
                        try {
                            MediaBot bot = MediaBot.join(run.api, meetingId, name, publisher, options, stats, lastN);
                            bots.add(bot);
                            if (publisher) {
                                bot.publish(index);
                            }
                        } catch (RuntimeException e) {
                            if (failures.incrementAndGet() <= 5) {
                                run.say("join failed: " + name + ": " + e.getMessage());
                            }
                        } finally {
                            slots.release();
                        }
                    }));
                }
                meetingIndex++;
            }
        }
    }

    /** Waits until each bot hears audio from every publisher of its meeting but itself; false after the limit. */
    private boolean settle(List<MediaBot> bots) {
        long deadline = System.nanoTime() + SETTLE_LIMIT.toNanos();
        List<MediaBot> snapshot = List.copyOf(bots);
        while (System.nanoTime() < deadline) {
            boolean all = true;
            for (MediaBot bot : snapshot) {
                for (MediaBot other : snapshot) {
                    if (other != bot && other.publisher && other.meetingId.equals(bot.meetingId)
                            && !bot.receivesAudioFrom(other.client.participantId())) {
                        all = false;
                        break;
                    }
                }
                if (!all) {
                    break;
                }
            }
            if (all) {
                return true;
            }
            LoadRun.sleep(Duration.ofMillis(200));
        }
        return false;
    }

    private record Counters(long t, Map<String, Double> metrics, ServerProbe.Cpu cpu, long botsSent, long botsReceived,
            long audioFanout) {
    }

    private Counters read(List<MediaBot> bots) {
        long sent = 0;
        long received = 0;
        long fanout = 0;
        for (MediaBot b : bots) {
            sent += b.rtpSent();
            received += b.rtpReceived();
            if (b.publisher) {
                // Each audio packet goes to everyone else in its meeting.
                fanout += b.audioSent() * (sizeOf(b.meetingId, bots) - 1);
            }
        }
        return new Counters(System.nanoTime(), run.probe.scrape(), run.probe.cpu(), sent, received, fanout);
    }

    private static int sizeOf(String meetingId, List<MediaBot> bots) {
        int n = 0;
        for (MediaBot b : bots) {
            if (b.meetingId.equals(meetingId)) {
                n++;
            }
        }
        return n;
    }

    private void measure(MediaStats stats, List<MediaBot> bots, int participants, long heapBefore, long rssBefore) {
        Report.Builder report = run.report;
        List<MediaBot> snapshot = List.copyOf(bots);
        Counters a = read(snapshot);
        stats.startWindow();
        run.say("measuring for " + run.options.duration.toSeconds() + " s");
        LoadRun.sleep(run.options.duration);
        stats.stopWindow();
        Counters b = read(snapshot);
        double seconds = (b.t - a.t) / 1e9;
        double sfuIn = b.metrics.getOrDefault(Sampler.RTP_IN, 0.0) - a.metrics.getOrDefault(Sampler.RTP_IN, 0.0);
        double sfuOut = b.metrics.getOrDefault(Sampler.RTP_OUT, 0.0) - a.metrics.getOrDefault(Sampler.RTP_OUT, 0.0);
        double bytesIn = delta(a, b, "convene_sfu_bytes_total{direction=\"in\"}");
        double bytesOut = delta(a, b, "convene_sfu_bytes_total{direction=\"out\"}");
        double botsSent = b.botsSent - a.botsSent;
        double botsReceived = b.botsReceived - a.botsReceived;
        double audioExpected = b.audioFanout - a.audioFanout;
        double audioReceived = stats.audioReceived.sum();
        double expected = stats.expected.sum();
        double lost = Math.max(0, expected - stats.received.sum());
        double loss = expected > 0 ? lost / expected : Double.NaN;
        report.result("window_s", seconds)
                .result("sfu_rtp_in_per_s", sfuIn / seconds).result("sfu_rtp_out_per_s", sfuOut / seconds)
                .result("sfu_bitrate_in_mbps", bytesIn * 8 / seconds / 1e6)
                .result("sfu_bitrate_out_mbps", bytesOut * 8 / seconds / 1e6)
                .result("bots_rtp_sent", botsSent).result("bots_rtp_received", botsReceived)
                .result("sfu_rtp_in", sfuIn).result("sfu_rtp_out", sfuOut)
                .result("audio_expected_by_fanout", audioExpected).result("audio_received", audioReceived)
                .result("loss_ratio", loss);
        double cpuProcess = b.cpu.processSeconds() - a.cpu.processSeconds();
        double cpuLoops = b.cpu.mediaLoopSeconds() - a.cpu.mediaLoopSeconds();
        report.result("process_cores", cpuProcess / seconds).result("media_loop_cores", cpuLoops / seconds)
                .result("cpu_us_per_forwarded_packet_media_loop", sfuOut > 0 ? cpuLoops * 1e6 / sfuOut : Double.NaN)
                .result("cpu_us_per_forwarded_packet_process", sfuOut > 0 ? cpuProcess * 1e6 / sfuOut : Double.NaN);
        report.result("sfu_forward_delay_us_p50", LoadRun.forwardDelayQuantile(a.metrics, b.metrics, 0.5))
                .result("sfu_forward_delay_us_p99", LoadRun.forwardDelayQuantile(a.metrics, b.metrics, 0.99))
                .result("sfu_forward_delay_samples", LoadRun.forwardDelayCount(a.metrics, b.metrics));
        LatencyHistogram latency = stats.window();
        report.result("latency_ms_p50", latency.quantile(0.5) / 1000).result("latency_ms_p99", latency.quantile(0.99) / 1000)
                .result("latency_ms_max", latency.max() / 1000).result("latency_samples", latency.count())
                .result("latency_negative", stats.negativeLatencies.sum())
                .result("jitter_ms_mean", stats.jitterSamples.sum() > 0
                        ? stats.jitterSumMicros.sum() / 1000.0 / stats.jitterSamples.sum() : Double.NaN)
                .result("jitter_ms_p99", stats.jitter().quantile(0.99) / 1000);
        long rssAfter = run.probe.rssBytes();
        long heapAfter = run.probe.heapAfterGc();
        if (participants > 0 && rssBefore > 0 && rssAfter > 0) {
            report.result("rss_bytes_per_participant", (double) (rssAfter - rssBefore) / participants);
        }
        if (participants > 0 && heapBefore > 0 && heapAfter > 0) {
            report.result("heap_bytes_per_participant", (double) (heapAfter - heapBefore) / participants);
        }
        if (run.probe.inProcess()) {
            report.note("Embedded: process CPU, RSS and heap include the bots; the media-loop CPU is the SFU's alone.");
        }
        checks(report, botsSent, sfuIn, sfuOut, botsReceived, audioExpected, audioReceived, lost, seconds, latency, stats);
    }

    private void checks(Report.Builder report, double botsSent, double sfuIn, double sfuOut, double botsReceived,
            double audioExpected, double audioReceived, double lost, double seconds, LatencyHistogram latency,
            MediaStats stats) {
        // Counters are read one after another on a live system: allow the packets of ~250 ms, plus
        // those still on their way (the worst latency measured), to fall on either side of a window edge.
        double inFlight = 0.25 + (latency.count() > 0 ? latency.max() / 1e6 : 0);
        double inSlack = botsSent / seconds * inFlight + 10;
        double outSlack = sfuOut / seconds * inFlight + 10;
        double allowedLoss = Math.max(lost, 0.01 * sfuOut);
        report.check("bots' RTP sent = SFU RTP in", botsSent > 0 && Math.abs(botsSent - sfuIn) <= inSlack + 0.01 * botsSent,
                String.format("sent %.0f, SFU in %.0f", botsSent, sfuIn));
        report.check("SFU RTP out = bots' RTP received (within the loss)",
                sfuOut > 0 && Math.abs(sfuOut - botsReceived) <= outSlack + allowedLoss,
                String.format("SFU out %.0f, received %.0f, lost %.0f", sfuOut, botsReceived, lost));
        double audioSlack = audioExpected / seconds * inFlight + 10;
        report.check("audio sent × fan-out = audio received (within the loss)",
                audioExpected > 0 && Math.abs(audioExpected - audioReceived) <= audioSlack + Math.max(lost, 0.01 * audioExpected),
                String.format("expected %.0f, received %.0f", audioExpected, audioReceived));
        double p50 = latency.quantile(0.5) / 1000;
        double p99 = latency.quantile(0.99) / 1000;
        report.check("latency positive and below 1 s",
                latency.count() > 0 && p50 > 0 && p99 < 1000 && stats.negativeLatencies.sum() == 0,
                String.format("p50 %.2f ms, p99 %.2f ms, %d samples, %d negative", p50, p99, latency.count(),
                        stats.negativeLatencies.sum()));
    }

    private static double delta(Counters a, Counters b, String key) {
        return b.metrics.getOrDefault(key, 0.0) - a.metrics.getOrDefault(key, 0.0);
    }

    static double quantile(List<Double> sorted, double q) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int i = (int) Math.ceil(q * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }

    private void closeAll(List<MediaBot> bots) {
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (MediaBot bot : List.copyOf(bots)) {
                pool.submit(() -> {
                    try {
                        bot.close();
                    } catch (RuntimeException e) {
                        // Closing the others matters more.
                    }
                });
            }
        }
    }
}
