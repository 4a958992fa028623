package dev.convene.loadtest;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code convene-loadtest <scenario> [options]}: bots on the Java client against a server
 * ({@code --server URL}) or one started in this process ({@code --embedded}); a progress line
 * on stderr, and a report as JSON, HTML and PNG charts in {@code --out}.
 */
@Command(name = "convene-loadtest", mixinStandardHelpOptions = true, version = "convene-loadtest 0.1.0",
        description = "Load a Convene server with Java-client bots and report what it costs.",
        subcommands = {LoadtestMain.AllToAll.class, LoadtestMain.LargeMeeting.class, LoadtestMain.Broadcast.class,
                LoadtestMain.ManyMeetings.class, LoadtestMain.JoinStorm.class, LoadtestMain.IdleSockets.class})
public final class LoadtestMain implements Runnable {

    @Override
    public void run() {
        new CommandLine(this).usage(System.err);
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs one command line; the exit code: 0 when the run finished and its checks pass, 1 when a check failed, 2 on errors. */
    public static int execute(String... args) {
        System.setProperty("java.awt.headless", "true");
        commandLine = "convene-loadtest " + String.join(" ", args);
        return new CommandLine(new LoadtestMain()).execute(args);
    }

    private static volatile String commandLine = "convene-loadtest";

    /** The report of the last run in this JVM (for tests). */
    static volatile Report lastReport;

    /** Every scenario: run it against its target, write the report, print where it went. */
    abstract static class ScenarioCommand implements Callable<Integer> {
        @Mixin
        CommonOptions common = new CommonOptions();

        abstract String name();

        abstract Report run(LoadRun run);

        @Override
        public Integer call() throws Exception {
            if (common.embedded == (common.server != null)) {
                throw new CommandLine.ParameterException(new CommandLine(this), "give exactly one of --server URL and --embedded");
            }
            // Before any logger exists: the progress line must not drown in per-bot log lines.
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", common.logLevel);
            PrintStream err = System.err;
            Target target = common.embedded ? Target.embedded() : Target.remote(common.server, common.serverPid);
            Report report;
            try (target) {
                LoadRun run = new LoadRun(name(), commandLine, target, common, err);
                report = run(run);
            }
            lastReport = report;
            String file = name() + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
            List<Path> written = ReportWriter.write(report, common.out, file);
            summary(report, written, err);
            return report.allChecksPass() ? 0 : 1;
        }

        private static void summary(Report r, List<Path> written, PrintStream out) {
            out.println("[" + r.scenario() + "] results:");
            r.results().forEach((k, v) -> out.printf("  %-44s %s%n", k, ReportWriter.format(v)));
            for (Report.Check c : r.checks()) {
                out.printf("  %s %s (%s)%n", c.ok() ? "pass" : "FAIL", c.name(), c.detail());
            }
            for (String note : r.notes()) {
                out.println("  note: " + note);
            }
            List<String> files = new ArrayList<>();
            written.forEach(p -> files.add(p.toString()));
            out.println("[" + r.scenario() + "] report: " + String.join(", ", files));
        }
    }

    @Command(name = "all-to-all", mixinStandardHelpOptions = true, description = "One meeting, every participant publishes audio and video.")
    static final class AllToAll extends ScenarioCommand {
        @Option(names = "--participants", defaultValue = "16", description = "participants (default ${DEFAULT-VALUE})")
        int participants;

        @Option(names = "--simulcast", description = "publish video as three simulcast layers")
        boolean simulcast;

        @Override
        String name() {
            return "all-to-all";
        }

        @Override
        Report run(LoadRun run) {
            return new MediaScenario(run, List.of(new MediaScenario.MeetingPlan(participants, 0)),
                    MediaScenario.Behaviour.plain(simulcast)).execute();
        }
    }

    @Command(name = "large-meeting", mixinStandardHelpOptions = true,
            description = "One meeting of 100, everyone publishing audio and simulcast video: a few speak, the rest are "
                    + "silent (DTX); loudest-N audio, last-N video, dynacast and the downlink estimate checked.")
    static final class LargeMeeting extends ScenarioCommand {
        @Option(names = "--participants", defaultValue = "100", description = "participants (default ${DEFAULT-VALUE}, at most 100)")
        int participants;

        @Option(names = "--publishers", defaultValue = "-1", description = "participants who publish (default: all)")
        int publishers;

        @Option(names = "--last-n", defaultValue = "25", description = "video streams each subscriber asks for (default ${DEFAULT-VALUE})")
        int lastN;

        @Option(names = "--loud", defaultValue = "2",
                description = "publishers who speak from the start; one more speaks up before the window (default ${DEFAULT-VALUE})")
        int loud;

        @Option(names = "--max-audio-streams", defaultValue = "5",
                description = "the server's --max-audio-streams, for the expected audio per subscriber (default ${DEFAULT-VALUE})")
        int maxAudioStreams;

        @Option(names = "--fps", defaultValue = "10",
                description = "video frames per second of each simulcast layer (default ${DEFAULT-VALUE}; fewer packets per bot)")
        int fps;

        @Option(names = "--tile", defaultValue = "320x180",
                description = "the size every subscriber asks for each video, a grid tile (default ${DEFAULT-VALUE}; 0x0: none)")
        String tile;

        @Option(names = "--no-simulcast", negatable = true, defaultValue = "true", fallbackValue = "true",
                description = "publish three simulcast layers (default on)")
        boolean simulcast;

        @Override
        String name() {
            return "large-meeting";
        }

        @Override
        Report run(LoadRun run) {
            int pubs = publishers < 0 ? participants : Math.min(publishers, participants);
            String[] size = tile.toLowerCase(java.util.Locale.ROOT).split("x");
            if (size.length != 2 || fps < 1 || fps > 60) {
                throw new CommandLine.ParameterException(new CommandLine(this), "--tile WxH and --fps 1..60");
            }
            MediaScenario.Behaviour behaviour = new MediaScenario.Behaviour(simulcast, lastN, loud, true, maxAudioStreams,
                    java.time.Duration.ofMillis(1000 / fps), Integer.parseInt(size[0]), Integer.parseInt(size[1]), true);
            return new MediaScenario(run, List.of(new MediaScenario.MeetingPlan(pubs, participants - pubs)), behaviour)
                    .execute();
        }
    }

    @Command(name = "broadcast", mixinStandardHelpOptions = true, description = "One publisher to many subscribers.")
    static final class Broadcast extends ScenarioCommand {
        @Option(names = "--subscribers", defaultValue = "500", description = "subscribers (default ${DEFAULT-VALUE})")
        int subscribers;

        @Override
        String name() {
            return "broadcast";
        }

        @Override
        Report run(LoadRun run) {
            // A meeting holds at most 100: a bigger audience is split over meetings, one publisher each.
            int perMeeting = Meetings.MAX_CAPACITY - 1;
            List<MediaScenario.MeetingPlan> plans = new ArrayList<>();
            for (int left = subscribers; left > 0; left -= perMeeting) {
                plans.add(new MediaScenario.MeetingPlan(1, Math.min(perMeeting, left)));
            }
            if (plans.size() > 1) {
                run.report.note("Meeting capacity is at most " + Meetings.MAX_CAPACITY + ": the " + subscribers
                        + " subscribers are split over " + plans.size() + " meetings, each with its own publisher.");
            }
            return new MediaScenario(run, plans, MediaScenario.Behaviour.plain(false)).execute();
        }
    }

    @Command(name = "many-meetings", mixinStandardHelpOptions = true, description = "Many small all-to-all meetings.")
    static final class ManyMeetings extends ScenarioCommand {
        @Option(names = "--meetings", defaultValue = "200", description = "meetings (default ${DEFAULT-VALUE})")
        int meetings;

        @Option(names = "--participants", defaultValue = "5", description = "participants per meeting (default ${DEFAULT-VALUE})")
        int participants;

        @Override
        String name() {
            return "many-meetings";
        }

        @Override
        Report run(LoadRun run) {
            List<MediaScenario.MeetingPlan> plans = new ArrayList<>();
            for (int i = 0; i < meetings; i++) {
                plans.add(new MediaScenario.MeetingPlan(participants, 0));
            }
            return new MediaScenario(run, plans, MediaScenario.Behaviour.plain(false)).execute();
        }
    }

    @Command(name = "join-storm", mixinStandardHelpOptions = true,
            description = "Participants join (REST join, socket, join → joined) at a fixed rate; no media.")
    static final class JoinStorm extends ScenarioCommand {
        @Option(names = "--joins", defaultValue = "2000", description = "joins (default ${DEFAULT-VALUE})")
        int joins;

        @Option(names = "--rate", defaultValue = "1000", description = "joins started per second (default ${DEFAULT-VALUE})")
        double rate;

        @Option(names = "--warmup-joins", defaultValue = "500",
                description = "joins made and closed first, at the same rate, then --warmup of rest (default ${DEFAULT-VALUE})")
        int warmupJoins;

        @Override
        String name() {
            return "join-storm";
        }

        @Override
        Report run(LoadRun run) {
            return new SignalScenario(run, joins, rate, false, warmupJoins).execute();
        }
    }

    @Command(name = "idle-sockets", mixinStandardHelpOptions = true,
            description = "Many joined, mostly idle signaling sockets (a ping every 5 s); heap per socket.")
    static final class IdleSockets extends ScenarioCommand {
        @Option(names = "--sockets", defaultValue = "50000", description = "sockets (default ${DEFAULT-VALUE})")
        int sockets;

        @Option(names = "--rate", defaultValue = "1000", description = "joins started per second (default ${DEFAULT-VALUE})")
        double rate;

        @Override
        String name() {
            return "idle-sockets";
        }

        @Override
        Report run(LoadRun run) {
            return new SignalScenario(run, sockets, rate, true, 0).execute();
        }
    }
}
