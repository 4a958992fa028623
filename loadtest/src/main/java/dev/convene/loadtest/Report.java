package dev.convene.loadtest;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One run's report, written as JSON, HTML and PNG charts. {@code results} holds the measured
 * numbers (units in their names); {@code checks} say whether the numbers are real: counts taken
 * on both ends agree, latencies are sane.
 */
public record Report(String scenario, String startedAt, String command, String target, Map<String, Object> machine,
        Map<String, Object> parameters, Map<String, Double> results, List<Check> checks, List<Sample> series,
        List<String> notes) {

    /** One second of the run, for the charts. Rates per second; NaN where not measured. */
    public record Sample(double t, double rtpInPerSecond, double rtpOutPerSecond, double processCores, double mediaLoopCores,
            double latencyP50Millis, double latencyP99Millis, int bots) {
    }

    /** A consistency check on the report's own numbers. */
    public record Check(String name, boolean ok, String detail) {
    }

    public boolean allChecksPass() {
        return checks.stream().allMatch(Check::ok);
    }

    public double result(String key) {
        Double v = results.get(key);
        return v == null ? Double.NaN : v;
    }

    /** Collects a report as a scenario runs. */
    static final class Builder {
        final String scenario;
        final String startedAt;
        final String command;
        String target = "";
        final Map<String, Object> machine = new LinkedHashMap<>();
        final Map<String, Object> parameters = new LinkedHashMap<>();
        final Map<String, Double> results = new LinkedHashMap<>();
        final List<Check> checks = new ArrayList<>();
        List<Sample> series = List.of();
        final List<String> notes = new ArrayList<>();

        Builder(String scenario, String startedAt, String command) {
            this.scenario = scenario;
            this.startedAt = startedAt;
            this.command = command;
        }

        Builder parameter(String key, Object value) {
            parameters.put(key, value);
            return this;
        }

        Builder result(String key, double value) {
            results.put(key, value);
            return this;
        }

        Builder check(String name, boolean ok, String detail) {
            checks.add(new Check(name, ok, detail));
            return this;
        }

        Builder note(String note) {
            notes.add(note);
            return this;
        }

        Report build() {
            return new Report(scenario, startedAt, command, target, new LinkedHashMap<>(machine), new LinkedHashMap<>(parameters),
                    new LinkedHashMap<>(results), List.copyOf(checks), List.copyOf(series), List.copyOf(notes));
        }
    }
}
