package dev.convene.signaling;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** The signaling node's counters, named {@code convene_signaling_*} in Prometheus. */
public final class SignalingMetrics {

    private final MeterRegistry registry;
    private final Counter meetingsCreated;
    private final Counter joinsAdmitted;
    private final Counter joinsRejectedFull;
    private final Counter meetingsEnded;
    private final Counter rateLimited;
    private final AtomicInteger openSockets = new AtomicInteger();
    private final Map<String, Counter> wsErrors = new ConcurrentHashMap<>();
    private final Map<String, Counter> wsCloses = new ConcurrentHashMap<>();

    public SignalingMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.meetingsCreated = Counter.builder("convene.signaling.meetings").description("Meetings created").register(registry);
        this.joinsAdmitted = Counter.builder("convene.signaling.joins").tag("result", "admitted").register(registry);
        this.joinsRejectedFull = Counter.builder("convene.signaling.joins").tag("result", "meeting_full").register(registry);
        this.rateLimited = Counter.builder("convene.signaling.rate_limited").description("Requests refused with 429")
                .register(registry);
        this.meetingsEnded = Counter.builder("convene.signaling.meetings.ended")
                .description("Meetings ended because nobody had been in them for the empty-meeting timeout").register(registry);
        registry.gauge("convene.signaling.sockets.open", openSockets);
    }

    public void meetingCreated() {
        meetingsCreated.increment();
    }

    public void joinAdmitted() {
        joinsAdmitted.increment();
    }

    public void joinRejectedFull() {
        joinsRejectedFull.increment();
    }

    public void rateLimited() {
        rateLimited.increment();
    }

    public void meetingsEnded(int n) {
        meetingsEnded.increment(n);
    }

    public void socketOpened() {
        openSockets.incrementAndGet();
    }

    public void socketClosed(String reason) {
        openSockets.decrementAndGet();
        wsCloses.computeIfAbsent(reason, r -> Counter.builder("convene.signaling.sockets.closed").tag("reason", r).register(registry))
                .increment();
    }

    public void wsError(String code) {
        wsErrors.computeIfAbsent(code, c -> Counter.builder("convene.signaling.ws.errors").tag("code", c).register(registry))
                .increment();
    }
}
