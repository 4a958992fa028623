package dev.convene.loadtest;

import dev.convene.client.ConveneClient;
import java.time.Duration;

/**
 * The one place where bots meet client features that are still arriving, so they can be wired
 * in without touching the scenarios: audio levels and active speakers ("speaker": e.g. a
 * {@code setAudioLevel} on the fake source, so last-N has speakers to choose), a last-N
 * subscription, bandwidth estimation ("bwe"). Today the client offers simulcast and
 * browser-like loss recovery, consent checks and receiver reports; the rest are no-ops here.
 */
final class ClientFeatures {

    private ClientFeatures() {
    }

    /** How every bot connects: as a browser does (RTX/NACK, consent checks, RRs), simulcast when asked. */
    static ConveneClient.Options options(boolean simulcast, Duration timeout) {
        ConveneClient.Options o = ConveneClient.Options.defaults().withTimeout(timeout).withoutResume();
        return simulcast ? o.withSimulcast() : o;
    }

    /**
     * After a publisher's media started. MERGE: with the speaker slice, give publisher {@code index}
     * an audio level (a few loud, the rest quiet) so the SFU's active-speaker ranking has work.
     */
    static void afterPublish(ConveneClient bot, int index) {
    }

    /** MERGE: with last-N in the SFU, ask for {@code lastN} video streams (0: leave the default). */
    static void afterJoin(ConveneClient bot, int lastN) {
    }

    /** Whether the SFU/client offer last-N yet (the large meeting then lets everyone publish). */
    static boolean lastNAvailable() {
        return false;
    }
}
