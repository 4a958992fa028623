package dev.convene.loadtest;

import dev.convene.client.ConveneClient;
import java.time.Duration;

/**
 * The one place where bots meet client features, so they can be wired in without touching the
 * scenarios: simulcast, browser-like loss recovery, consent checks and receiver reports, audio
 * levels (so the SFU's active-speaker ranking has work) and a last-N subscription (ADR 0022).
 */
final class ClientFeatures {

    /** The RFC 6464 level below which the SFU counts a packet as silence (SpeakerActivity.ACTIVE_LEVEL). */
    static final int MURMUR_DBOV = -50;
    static final int SILENCE_DBOV = -127;

    private ClientFeatures() {
    }

    /** How every bot connects: as a browser does (RTX/NACK, consent checks, RRs), simulcast when asked. */
    static ConveneClient.Options options(boolean simulcast, Duration timeout) {
        ConveneClient.Options o = ConveneClient.Options.defaults().withTimeout(timeout).withoutResume();
        return simulcast ? o.withSimulcast() : o;
    }

    /** The level of the {@code rank}-th loud speaker: −10 dBov, then 5 dB quieter each, never below speaking. */
    static int speakingLevel(int rank) {
        return Math.max(-40, -10 - 5 * rank);
    }

    /**
     * After a publisher's media started: the first {@code loudPublishers} speak (each a little
     * quieter than the one before), the others murmur below the SFU's speaking threshold or, with
     * {@code silentDtx}, are silent and send as Opus DTX does (a packet every 400 ms), as most of a
     * large meeting is. Returns whether this one speaks.
     */
    static boolean afterPublish(ConveneClient bot, int index, int loudPublishers, boolean silentDtx) {
        boolean loud = index < loudPublishers;
        bot.setAudioLevel(loud ? speakingLevel(index) : silentDtx ? SILENCE_DBOV : MURMUR_DBOV);
        return loud;
    }

    /** Asks for {@code lastN} video streams (0: leave the SFU's default). */
    static void afterJoin(ConveneClient bot, int lastN) {
        if (lastN > 0) {
            bot.setLastN(lastN);
        }
    }
}
