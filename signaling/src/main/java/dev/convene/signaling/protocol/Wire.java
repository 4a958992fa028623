package dev.convene.signaling.protocol;

import dev.convene.sfu.TrackKind;
import dev.convene.sfu.TrackSource;
import dev.convene.store.MediaKind;
import dev.convene.store.MediaSource;
import java.util.Locale;

/** Spellings of enums on the wire (lower case, as docs/signaling.md writes them). */
public final class Wire {

    public static final String PUBLISHER = "publisher";
    public static final String SUBSCRIBER = "subscriber";

    private Wire() {}

    /** The SFU kind for a wire spelling, or null if there is none. */
    public static TrackKind kind(String wire) {
        return switch (wire == null ? "" : wire) {
            case "audio" -> TrackKind.AUDIO;
            case "video" -> TrackKind.VIDEO;
            default -> null;
        };
    }

    /** The SFU source for a wire spelling, or null if there is none. */
    public static TrackSource source(String wire) {
        return switch (wire == null ? "" : wire) {
            case "camera" -> TrackSource.CAMERA;
            case "microphone" -> TrackSource.MICROPHONE;
            case "screen" -> TrackSource.SCREEN;
            case "screen_audio" -> TrackSource.SCREEN_AUDIO;
            default -> null;
        };
    }

    public static String of(TrackKind kind) {
        return kind.name().toLowerCase(Locale.ROOT);
    }

    public static String of(TrackSource source) {
        return source.name().toLowerCase(Locale.ROOT);
    }

    public static String of(MediaKind kind) {
        return kind.name().toLowerCase(Locale.ROOT);
    }

    public static String of(MediaSource source) {
        return source.name().toLowerCase(Locale.ROOT);
    }

    public static MediaKind toStore(TrackKind kind) {
        return MediaKind.valueOf(kind.name());
    }

    public static MediaSource toStore(TrackSource source) {
        return MediaSource.valueOf(source.name());
    }
}
