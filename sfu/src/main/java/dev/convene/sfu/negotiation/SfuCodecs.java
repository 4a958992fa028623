package dev.convene.sfu.negotiation;

import dev.convene.sfu.TrackKind;
import java.util.List;
import java.util.Optional;

/**
 * The codecs the SFU forwards. Publishers' payload types are mapped onto these, so every
 * subscriber sees the same payload type for a codec whoever publishes.
 */
public final class SfuCodecs {

    public static final Codec OPUS = new Codec(111, "opus", 48000, 2, "minptime=10;useinbandfec=1", List.of());
    public static final Codec VP8 = new Codec(96, "VP8", 90000, 0, null,
            List.of("goog-remb", "ccm fir", "nack", "nack pli"));

    private SfuCodecs() {}

    /** The codec subscribers receive for a kind of track. */
    public static Codec forSubscribers(TrackKind kind) {
        return kind == TrackKind.AUDIO ? OPUS : VP8;
    }

    /**
     * Picks the publisher's payload type for the codec the SFU forwards, if the offer has it.
     * The publisher keeps its own payload type number; feedback is limited to what the SFU
     * answers (it requests keyframes with PLI/FIR and sends REMB).
     */
    public static Optional<Codec> choose(OfferedMedia media) {
        if (media.kind() == null) {
            return Optional.empty();
        }
        Codec wanted = forSubscribers(media.kind());
        return media.codecs().stream()
                .filter(c -> c.is(wanted.name()) && c.clockRate() == wanted.clockRate())
                .findFirst()
                .map(c -> new Codec(c.payloadType(), c.name(), c.clockRate(), c.channels(), c.fmtp(),
                        c.feedback().stream().filter(wanted.feedback()::contains).toList()));
    }
}
