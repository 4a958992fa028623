package dev.convene.client;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconnects a lost signaling socket and resumes (docs/signaling.md, "Resume"): tries each
 * signaling URL in turn, starting with the one that was lost (a blip leaves it up; a dead node
 * refuses at once), with exponential backoff between rounds, until one answers {@code resumed},
 * the server says it is too late ({@code resume_expired}, {@code invalid_resume_token}), or
 * {@link #GIVE_UP_AFTER} passes. The seam a media rebuild (SFU failover) will reuse.
 */
final class ResumeLoop {

    private static final Logger log = LoggerFactory.getLogger(ResumeLoop.class);

    /** Longer than the longest grace a server may have (45 s): past it, nothing is left to resume. */
    static final Duration GIVE_UP_AFTER = Duration.ofSeconds(50);
    static final Duration FIRST_DELAY = Duration.ofMillis(100);
    static final Duration MAX_DELAY = Duration.ofSeconds(2);

    record Outcome(SignalingSession session, ObjectNode reply, URI url, int attempts, String failure) {}

    private final List<URI> order;

    ResumeLoop(List<URI> urls, URI lost) {
        List<URI> o = new ArrayList<>();
        int start = Math.max(0, urls.indexOf(lost));
        for (int i = 0; i < urls.size(); i++) {
            o.add(urls.get((start + i) % urls.size()));
        }
        this.order = List.copyOf(o);
    }

    /**
     * Whether a socket that closed with {@code code} is worth resuming: not when the server ended
     * the participant (1000 after leave, 1011 media failed, 4401 refused) or another socket took
     * its place (4409).
     */
    static boolean shouldResume(int code) {
        // 4403 removed, 4406 denied, 4410 ended by a host: the participant is gone for good (ADR 0016).
        return code != 1000 && code != 1011 && code != 4401 && code != 4409 && code != 4403 && code != 4406
                && code != 4410;
    }

    /** The delay before round {@code round} (0-based): 100 ms doubling to 2 s, drawn from its upper half. */
    static Duration delay(int round, double random) {
        long max = Math.min(MAX_DELAY.toMillis(), FIRST_DELAY.toMillis() << Math.min(round, 10));
        return Duration.ofMillis((long) (max / 2.0 + random * max / 2.0));
    }

    Outcome run(Function<URI, SignalingSession> open, Function<SignalingSession, ObjectNode> resume, BooleanSupplier stop) {
        long deadline = System.nanoTime() + GIVE_UP_AFTER.toNanos();
        int attempts = 0;
        String failure = "gave up after " + GIVE_UP_AFTER.toSeconds() + " s";
        for (int round = 0; System.nanoTime() < deadline && !stop.getAsBoolean(); round++) {
            for (URI url : order) {
                attempts++;
                SignalingSession session = null;
                try {
                    session = open.apply(url);
                    ObjectNode reply = resume.apply(session);
                    return new Outcome(session, reply, url, attempts, null);
                } catch (SignalingException e) {
                    if (session != null) {
                        session.close();
                    }
                    if ("resume_expired".equals(e.code()) || "invalid_resume_token".equals(e.code())) {
                        return new Outcome(null, null, url, attempts, e.code() + ": " + e.getMessage());
                    }
                    failure = e.getMessage();
                    log.debug("event=client_resume_attempt_failed url={} error=\"{}\"", url, e.getMessage());
                }
            }
            try {
                Thread.sleep(delay(round, ThreadLocalRandom.current().nextDouble()).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Outcome(null, null, null, attempts, "interrupted");
            }
        }
        return new Outcome(null, null, null, attempts, failure);
    }
}
