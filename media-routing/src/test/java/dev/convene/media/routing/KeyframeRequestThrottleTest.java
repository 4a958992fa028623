package dev.convene.media.routing;

import static dev.convene.media.routing.TestPackets.MS;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class KeyframeRequestThrottleTest {

    @Test
    void atMostTwoRequestsASecondReachThePublisher() {
        KeyframeRequestThrottle throttle = new KeyframeRequestThrottle();
        int admitted = 0;
        // Ten subscribers asking every 10 ms for 3 s.
        for (long t = 0; t < 3_000 * MS; t += 10 * MS) {
            for (int subscriber = 0; subscriber < 10; subscriber++) {
                if (throttle.admit(t)) {
                    admitted++;
                }
            }
        }
        assertThat(admitted).isEqualTo(6);
        assertThat(throttle.suppressed()).isEqualTo(3000 - 6);
        assertThat(throttle.admit(3_000 * MS)).isTrue();
    }
}
