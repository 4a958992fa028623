package dev.convene.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16, done-when 1: a short, small run of every scenario against an embedded server, each
 * through the command line, and the report's numbers checked for being real — packets counted by
 * the bots and by the SFU's {@code /metrics} agree within the loss, latencies are positive and
 * sane, joins all complete — besides the checks the tool makes itself.
 */
class ScenariosTest {

    /** One server for the scenarios that name it with --server (starting one costs seconds); all-to-all starts its own. */
    private static Target shared;

    @TempDir
    Path out;

    @BeforeAll
    static void startServer() throws InterruptedException {
        shared = Target.embedded();
    }

    @AfterAll
    static void stopServer() {
        shared.close();
    }

    /** Runs a scenario against the shared server, as a server on this machine with a known pid. */
    private Report run(String... args) {
        return runWith(args, "--server", shared.baseUrl().toString(), "--server-pid", Long.toString(shared.pid()));
    }

    private Report runWith(String[] args, String... target) {
        java.util.List<String> full = new java.util.ArrayList<>(java.util.List.of(args));
        full.addAll(java.util.List.of(target));
        if (!args[0].equals("join-storm") && !args[0].equals("idle-sockets")) {
            // Two DTLS handshakes at a time: on a starved 2-core machine eight at once can miss the SFU's 10 s bound.
            full.addAll(java.util.List.of("--join-concurrency", "2"));
        }
        full.add("--out");
        full.add(out.toString());
        int exit = LoadtestMain.execute(full.toArray(String[]::new));
        Report report = LoadtestMain.lastReport;
        assertThat(report).isNotNull();
        assertThat(report.checks()).as("the tool's own checks").allSatisfy(c -> assertThat(c.ok()).as(c.name() + ": " + c.detail())
                .isTrue());
        assertThat(exit).isZero();
        LoadtestMain.lastReport = null;
        return report;
    }

    private void assertMediaNumbersAreReal(Report r, int participants) throws Exception {
        assertThat(r.result("bots_joined")).isEqualTo(participants);
        assertThat(r.result("join_failures")).isZero();
        double sent = r.result("bots_rtp_sent");
        double sfuIn = r.result("sfu_rtp_in");
        double sfuOut = r.result("sfu_rtp_out");
        double received = r.result("bots_rtp_received");
        assertThat(sent).isPositive();
        assertThat(sfuIn).isCloseTo(sent, org.assertj.core.data.Percentage.withPercentage(10));
        assertThat(received).isCloseTo(sfuOut, org.assertj.core.data.Percentage.withPercentage(10));
        assertThat(r.result("audio_received")).isCloseTo(r.result("audio_expected_by_fanout"),
                org.assertj.core.data.Percentage.withPercentage(10));
        assertThat(r.result("loss_ratio")).isBetween(0.0, 0.05);
        assertThat(r.result("latency_ms_p50")).isPositive().isLessThan(r.result("latency_ms_p99") + 1e-9);
        assertThat(r.result("latency_ms_p99")).isLessThan(1000.0);
        assertThat(r.result("sfu_forward_delay_samples")).isPositive();
        assertThat(r.result("sfu_forward_delay_us_p50")).isPositive().isLessThan(1_000_000.0);
        assertThat(r.result("cpu_us_per_forwarded_packet_media_loop")).isPositive();
        assertThat(r.series()).isNotEmpty();
        assertThat(r.series()).anySatisfy(s -> assertThat(s.rtpOutPerSecond()).isPositive());
        try (var files = Files.list(out)) {
            assertThat(files.map(p -> p.getFileName().toString()).toList())
                    .anyMatch(n -> n.startsWith(r.scenario()) && n.endsWith(".json"))
                    .anyMatch(n -> n.startsWith(r.scenario()) && n.endsWith(".html"))
                    .anyMatch(n -> n.startsWith(r.scenario()) && n.endsWith("-latency.png"));
        }
    }

    @Test
    void allToAll() throws Exception {
        Report r = runWith(new String[] {"all-to-all", "--participants", "4", "--warmup", "1s", "--duration", "3s"},
                "--embedded");
        assertMediaNumbersAreReal(r, 4);
        // Four publishers, each heard by three others: about 50 audio packets per second per pair.
        assertThat(r.result("audio_received")).isGreaterThan(4 * 3 * 50 * 2.0);
    }

    @Test
    void largeMeetingWithSimulcast() throws Exception {
        // Everyone publishes; last-N 3 of 7 others, so 4 publishers are in nobody's last-N.
        Report r = run("large-meeting", "--participants", "8", "--last-n", "3", "--warmup", "2s", "--duration", "3s");
        assertMediaNumbersAreReal(r, 8);
        assertThat(r.parameters()).containsEntry("simulcast", true);
        assertThat(r.result("participants_connected")).isEqualTo(8);
        assertThat(r.result("speaker_follow_ms_max")).isPositive().isLessThanOrEqualTo(1000);
        // Three speak (two, then one more): the SFU ranks 7 others, more than 5, so only speakers are heard.
        assertThat(r.result("audio_streams_per_subscriber_max")).isEqualTo(3);
        assertThat(r.result("video_streams_per_subscriber_max")).isEqualTo(3);
        assertThat(r.result("video_streams_per_subscriber_min")).isEqualTo(3);
        assertThat(r.result("publishers_video_paused")).isGreaterThanOrEqualTo(4);
        assertThat(r.result("received_over_estimate_max_ratio")).isPositive().isLessThanOrEqualTo(1.10);
    }

    @Test
    void broadcast() throws Exception {
        Report r = run("broadcast", "--subscribers", "12", "--warmup", "1s", "--duration", "3s");
        assertMediaNumbersAreReal(r, 13);
        // One publisher to twelve: the SFU sends about twelve times what it receives.
        assertThat(r.result("sfu_rtp_out") / r.result("sfu_rtp_in")).isBetween(10.0, 13.0);
    }

    @Test
    void manyMeetings() throws Exception {
        Report r = run("many-meetings", "--meetings", "3", "--participants", "3", "--warmup", "1s", "--duration", "3s");
        assertMediaNumbersAreReal(r, 9);
    }

    @Test
    void joinStorm() {
        Report r = run("join-storm", "--joins", "40", "--rate", "20", "--warmup-joins", "10", "--warmup", "1s",
                "--client-timeout", "60s");
        assertThat(r.result("warmup_joined")).isEqualTo(10);
        assertThat(r.result("joins")).isEqualTo(40);
        assertThat(r.result("joins_per_s")).isPositive();
        assertThat(r.result("join_ms_p50")).isPositive().isLessThanOrEqualTo(r.result("join_ms_p99"));
        // The steps of a join add up to it (medians of parts need not, but none exceeds the whole).
        for (String step : new String[] {"rest_join_ms_p50", "socket_open_ms_p50", "join_frame_ms_p50"}) {
            assertThat(r.result(step)).as(step).isPositive().isLessThanOrEqualTo(r.result("join_ms_max"));
        }
    }

    @Test
    void idleSockets() {
        Report r = run("idle-sockets", "--sockets", "60", "--rate", "30", "--duration", "2s", "--client-timeout", "60s");
        assertThat(r.result("joins")).isEqualTo(60);
        assertThat(r.result("sockets_open_after_window")).isEqualTo(60);
        assertThat(r.result("heap_bytes_per_socket")).isPositive();
    }
}
