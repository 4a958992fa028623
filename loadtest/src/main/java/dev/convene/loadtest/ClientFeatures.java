package dev.convene.loadtest;

import dev.convene.client.ConveneClient;
import java.time.Duration;

/**
 * The one place where bots meet client features, so they can be wired in without touching the
 * scenarios: simulcast, browser-like loss recovery, consent checks and receiver reports, audio
 * levels (so the SFU's active-speaker ranking has work) and a last-N subscription (ADR 0022).
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
     * After a publisher's media started: publisher 0 is loud, 1 speaks up, the rest murmur — none
     * silent, so each is a candidate for the loudest-N audio selection.
     */
    static void afterPublish(ConveneClient bot, int index) {
        bot.setAudioLevel(index == 0 ? -10 : index == 1 ? -25 : -50);
    }

    /** Asks for {@code lastN} video streams (0: leave the SFU's default). */
    static void afterJoin(ConveneClient bot, int lastN) {
        if (lastN > 0) {
            bot.setLastN(lastN);
        }
    }

    /**
     * Whether every participant of the large meeting publishes. Not yet: the reports' fan-out
     * check ({@code audio_expected_by_fanout}) still assumes every publisher's audio reaches every
     * subscriber, which the SFU's loudest-N audio selection (default 5) no longer does beyond
     * five publishers.
     */
    static boolean lastNAvailable() {
        return false;
    }
}
