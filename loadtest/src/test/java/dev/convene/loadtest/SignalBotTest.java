package dev.convene.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpHeaders;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How long a bot waits after a 503 (ADR 0037): the server's Retry-After, bounded, read leniently. */
class SignalBotTest {

    private static HttpHeaders retryAfter(String... values) {
        return HttpHeaders.of(values.length == 0 ? Map.of() : Map.of("Retry-After", List.of(values)), (k, v) -> true);
    }

    @Test
    void waitsTheSecondsTheServerSays() {
        assertThat(SignalBot.retryAfterMillis(retryAfter("1"))).isEqualTo(1_000);
        assertThat(SignalBot.retryAfterMillis(retryAfter(" 3 "))).isEqualTo(3_000);
        assertThat(SignalBot.retryAfterMillis(retryAfter("0"))).isZero();
    }

    @Test
    void aMissingOrUnreadableRetryAfterMeansOneSecondAndALongOneIsCapped() {
        assertThat(SignalBot.retryAfterMillis(retryAfter())).isEqualTo(1_000);
        assertThat(SignalBot.retryAfterMillis(retryAfter("Fri, 04 Dec 2026 17:00:00 GMT"))).isEqualTo(1_000);
        assertThat(SignalBot.retryAfterMillis(retryAfter("3600"))).isEqualTo(10_000);
        assertThat(SignalBot.retryAfterMillis(retryAfter("-5"))).isZero();
    }
}
