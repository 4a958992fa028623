package dev.convene.control;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

/** Keys and tokens shared by the control channel's tests. */
final class ControlTestSupport {

    static final ControlKey KEY = new ControlKey("ctl-2026", "test-secret-0123456789abcdefghijklmnop");
    static final ControlKey WRONG_SECRET = new ControlKey("ctl-2026", "another-secret-0123456789abcdefghijkl");
    static final String NODE = "sfu-1";
    static final Duration ORPHAN_LEASE = Duration.ofMillis(300);

    private ControlTestSupport() {}

    static SfuControlConfig serverConfig(Duration heartbeatTimeout) {
        // A short orphan lease: the tests that end connections see their sessions closed soon after.
        return SfuControlConfig.of("127.0.0.1", 0, List.of(KEY)).withHeartbeatTimeout(heartbeatTimeout)
                .withOrphanLease(ORPHAN_LEASE);
    }

    static String token(String audience) {
        return new ControlTokens(List.of(KEY), Clock.systemUTC(), Duration.ZERO).mint("sig-test", audience);
    }
}
