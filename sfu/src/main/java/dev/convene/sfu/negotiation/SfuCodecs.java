package dev.convene.sfu.negotiation;

import dev.convene.sfu.TrackKind;
import java.util.List;
import java.util.Optional;

/**
 * The codecs the SFU forwards: Opus for audio, VP8, VP9 (profile 0) and H.264 for video. Never transcodes, so
 * subscribers receive the publisher's codec, under the SFU's own payload type numbers so that
 * every subscriber sees the same number for a codec whoever publishes it.
 */
public final class SfuCodecs {

    /** Kept in a publisher answer when the offer has the transport-wide sequence number: the SFU sends it feedback (ADR 0031). */
    public static final String TRANSPORT_CC = "transport-cc";

    /**
     * Whether publisher answers keep transport-cc (system property {@code convene.publisherTransportCc}),
     * off by default: with arrival times stamped on the media loop rather than by the kernel, a
     * loop delayed by a loaded machine looked like queueing to Chromium's estimator, which then
     * turned off its top layer on an unimpaired loopback (ADR 0031).
     */
    public static final boolean PUBLISHER_TRANSPORT_CC = Boolean.getBoolean("convene.publisherTransportCc");

    private static final List<String> VIDEO_FEEDBACK = List.of("goog-remb", "ccm fir", "nack", "nack pli");

    public static final Codec OPUS = new Codec(111, "opus", 48000, 2, "minptime=10;useinbandfec=1", List.of());
    public static final Codec VP8 = new Codec(96, "VP8", 90000, 0, null, VIDEO_FEEDBACK);
    /** Profile 0 (8-bit 4:2:0), the one every WebRTC endpoint decodes; its SVC layers are dropped per subscriber. */
    public static final Codec VP9 = new Codec(98, "VP9", 90000, 0, "profile-id=0", VIDEO_FEEDBACK);
    /** Constrained Baseline, as every WebRTC endpoint decodes; a publisher's own profile replaces it. */
    public static final Codec H264 = new Codec(102, "H264", 90000, 0,
            "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f", VIDEO_FEEDBACK);

    private SfuCodecs() {}

    /**
     * Picks the codec the SFU receives on a publisher's m-line: Opus for audio; for video the
     * first of VP8, VP9 profile 0 and H.264 (packetization-mode 1) in the client's order of preference. The
     * publisher keeps its payload type number; feedback is limited to what the SFU answers, and
     * transport-cc when the m-line offers the transport-wide sequence number and
     * {@link #PUBLISHER_TRANSPORT_CC} is on.
     */
    public static Optional<Codec> choose(OfferedMedia media) {
        return choose(media, PUBLISHER_TRANSPORT_CC);
    }

    /** As {@link #choose(OfferedMedia)}; {@code transportCc} says whether the SFU would send transport-cc feedback. */
    public static Optional<Codec> choose(OfferedMedia media, boolean transportCc) {
        if (media.kind() == null) {
            return Optional.empty();
        }
        return media.codecs().stream()
                .filter(c -> media.kind() == TrackKind.AUDIO ? c.is("opus") && c.clockRate() == 48000 : isForwardableVideo(c))
                .findFirst()
                .map(c -> {
                    Codec ours = canonical(c);
                    boolean twcc = transportCc && media.extensionIds().containsKey(OfferedMedia.TRANSPORT_CC_URI);
                    return new Codec(c.payloadType(), c.name(), c.clockRate(), c.channels(), c.fmtp(),
                            c.feedback().stream().filter(f -> ours.feedback().contains(f) || twcc && f.equals(TRANSPORT_CC))
                                    .toList());
                });
    }

    /** The codec subscribers receive for a track published with {@code published}. */
    public static Codec forSubscribers(Codec published) {
        Codec ours = canonical(published);
        if (ours == H264 && published.fmtp() != null) {
            return new Codec(ours.payloadType(), ours.name(), ours.clockRate(), 0, published.fmtp(), ours.feedback());
        }
        return ours;
    }

    /**
     * {@code subscriberCodec} under the payload type a WHEP player's m-line offered it with, or
     * null if the line does not offer it (a player receives under its own numbers, RFC 3264 §5.1).
     */
    public static Codec forPlayer(Codec subscriberCodec, OfferedMedia media) {
        for (Codec c : media.codecs()) {
            if (c.is(subscriberCodec.name()) && c.clockRate() == subscriberCodec.clockRate()
                    && (!c.is("H264") || c.fmtp() != null && c.fmtp().contains("packetization-mode=1"))) {
                return new Codec(c.payloadType(), subscriberCodec.name(), subscriberCodec.clockRate(),
                        subscriberCodec.channels(), subscriberCodec.fmtp(),
                        subscriberCodec.feedback().stream().filter(c.feedback()::contains).toList());
            }
        }
        return null;
    }

    /**
     * The RTX payload type (RFC 4588) the SFU retransmits {@code subscriberCodec} with, or -1
     * for a codec it does not retransmit (audio: Opus has its own loss concealment and FEC).
     */
    public static int rtxPayloadType(Codec subscriberCodec) {
        if (subscriberCodec.is("opus")) {
            return -1;
        }
        return subscriberCodec.payloadType() + 1;
    }

    /** The {@code rtx} codec line for retransmissions of {@code media} under {@code rtxPayloadType}. */
    public static Codec rtx(Codec media, int rtxPayloadType) {
        return new Codec(rtxPayloadType, "rtx", media.clockRate(), 0, "apt=" + media.payloadType(), List.of());
    }

    /** What an idle m-line of a kind offers until it carries a track. */
    public static Codec idle(TrackKind kind) {
        return kind == TrackKind.AUDIO ? OPUS : VP8;
    }

    /** The media-core codec, for keyframe detection on the packet path. */
    public static dev.convene.media.core.codec.Codec mediaCodec(Codec codec) {
        if (codec.is("opus")) {
            return dev.convene.media.core.codec.Codec.AUDIO;
        }
        if (codec.is("VP9")) {
            return dev.convene.media.core.codec.Codec.VP9;
        }
        return codec.is("H264") ? dev.convene.media.core.codec.Codec.H264 : dev.convene.media.core.codec.Codec.VP8;
    }

    private static boolean isForwardableVideo(Codec c) {
        if (c.clockRate() != 90000) {
            return false;
        }
        return c.is("VP8") || c.is("VP9") && isProfile0(c.fmtp()) || (c.is("H264") && c.fmtp() != null && c.fmtp().contains("packetization-mode=1"));
    }

    /** No {@code profile-id} means profile 0 (RFC 9628 §6). */
    private static boolean isProfile0(String fmtp) {
        if (fmtp == null) {
            return true;
        }
        for (String pair : fmtp.split(";")) {
            String p = pair.strip();
            if (p.startsWith("profile-id=")) {
                return p.equals("profile-id=0");
            }
        }
        return true;
    }

    private static Codec canonical(Codec c) {
        if (c.is("opus")) {
            return OPUS;
        }
        if (c.is("VP9")) {
            return VP9;
        }
        return c.is("H264") ? H264 : VP8;
    }
}
