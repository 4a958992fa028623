package dev.convene.store.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.convene.store.ResumeLeases;
import dev.convene.store.ResumeLeasesContract;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class InMemoryResumeLeasesTest extends ResumeLeasesContract {

    @Override
    protected ResumeLeases newLeases() {
        return new InMemoryResumeLeases();
    }

    @Test
    void aLeaseEndsExactlyAtItsTimeToLive() {
        TestClock clock = new TestClock(Instant.parse("2026-01-01T10:00:00Z"));
        ResumeLeases leases = new InMemoryResumeLeases(clock);
        UUID meeting = UUID.randomUUID();
        leases.hold(meeting, "PA_1", Duration.ofSeconds(30));
        clock.advance(Duration.ofMillis(29_999));
        assertThat(leases.claimExpired(10)).isEmpty();
        clock.advance(Duration.ofMillis(1));
        assertThat(leases.takeOver(meeting, "PA_1", Duration.ofSeconds(30))).isFalse();
        assertThat(leases.claimExpired(10)).containsExactly(new ResumeLeases.Expired(meeting, "PA_1"));
    }
}
