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

    @Test
    void aRequestSuppressedWithinTheIntervalIsOwedAtItsEndUnlessAKeyFrameAnswersIt() {
        KeyframeRequestThrottle throttle = new KeyframeRequestThrottle();
        assertThat(throttle.admit(0)).isTrue();
        assertThat(throttle.admitPending(600 * MS)).as("nothing suppressed, nothing owed").isFalse();

        assertThat(throttle.admit(700 * MS)).isTrue();
        assertThat(throttle.admit(800 * MS)).as("too soon").isFalse();
        assertThat(throttle.admitPending(1_000 * MS)).as("not before the interval ends").isFalse();
        assertThat(throttle.admitPending(1_200 * MS)).as("owed at its end").isTrue();
        assertThat(throttle.admitPending(1_800 * MS)).as("once").isFalse();

        assertThat(throttle.admit(1_300 * MS)).as("too soon").isFalse();
        throttle.onKeyframe();
        assertThat(throttle.admitPending(2_500 * MS)).as("answered by the key frame that came after it").isFalse();
        assertThat(throttle.admitted()).isEqualTo(3);
    }
}
