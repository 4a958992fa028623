package dev.convene.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The order, stop conditions and backoff of the client's reconnect-and-resume loop, with stand-in sockets. */
class ResumeLoopTest {

    private static final URI ONE = URI.create("ws://one/v1/signal");
    private static final URI TWO = URI.create("ws://two/v1/signal");
    private static final URI THREE = URI.create("ws://three/v1/signal");

    @Test
    void startsWithTheLostNodeThenTriesTheOthersInOrder() {
        List<URI> tried = new ArrayList<>();
        ObjectNode resumed = new ObjectMapper().createObjectNode().put("type", "resumed");
        ResumeLoop.Outcome outcome = new ResumeLoop(List.of(ONE, TWO, THREE), TWO).run(url -> {
            tried.add(url);
            if (!url.equals(ONE)) {
                throw new SignalingException("connect_failed", "refused", null);
            }
            return null;
        }, session -> resumed, () -> false);
        assertThat(tried).containsExactly(TWO, THREE, ONE);
        assertThat(outcome.reply()).isSameAs(resumed);
        assertThat(outcome.url()).isEqualTo(ONE);
        assertThat(outcome.attempts()).isEqualTo(3);
    }

    @Test
    void aRefusalFromTheServerEndsTheLoopAtOnce() {
        List<URI> tried = new ArrayList<>();
        ResumeLoop.Outcome outcome = new ResumeLoop(List.of(ONE, TWO), ONE).run(url -> {
            tried.add(url);
            return null;
        }, session -> {
            throw new SignalingException("resume_expired", "too late", "r1");
        }, () -> false);
        assertThat(tried).containsExactly(ONE);
        assertThat(outcome.session()).isNull();
        assertThat(outcome.failure()).startsWith("resume_expired");
    }

    @Test
    void stopsWhenTheClientLeaves() {
        ResumeLoop.Outcome outcome = new ResumeLoop(List.of(ONE), ONE).run(url -> {
            throw new SignalingException("connect_failed", "refused", null);
        }, session -> null, () -> true);
        assertThat(outcome.attempts()).isZero();
    }

    @Test
    void backoffDoublesFrom100msTo2sWithinTheUpperHalf() {
        assertThat(ResumeLoop.delay(0, 0.0)).isEqualTo(Duration.ofMillis(50));
        assertThat(ResumeLoop.delay(0, 1.0)).isEqualTo(Duration.ofMillis(100));
        assertThat(ResumeLoop.delay(3, 1.0)).isEqualTo(Duration.ofMillis(800));
        assertThat(ResumeLoop.delay(30, 1.0)).isEqualTo(Duration.ofSeconds(2));
        assertThat(ResumeLoop.delay(30, 0.0)).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void onlyClosesThatLeaveTheParticipantInTheMeetingAreResumed() {
        assertThat(ResumeLoop.shouldResume(1006)).isTrue();
        assertThat(ResumeLoop.shouldResume(1012)).isTrue();
        assertThat(ResumeLoop.shouldResume(4408)).isTrue();
        assertThat(ResumeLoop.shouldResume(1001)).isTrue();
        assertThat(ResumeLoop.shouldResume(1000)).isFalse();
        assertThat(ResumeLoop.shouldResume(1011)).isFalse();
        assertThat(ResumeLoop.shouldResume(4401)).isFalse();
        assertThat(ResumeLoop.shouldResume(4409)).isFalse();
    }
}
