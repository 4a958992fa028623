package dev.convene.sdp;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** The SDPs captured from Chromium (see src/test/resources/chromium/README.md). */
final class Fixtures {
    static final String AUDIO_VIDEO = "publisher-offer-audio-video.sdp";
    static final String AUDIO_VIDEO_SCREEN = "publisher-offer-audio-video-screen.sdp";
    static final String SIMULCAST = "publisher-offer-simulcast.sdp";
    static final String SUBSCRIBER_ANSWER = "subscriber-answer.sdp";
    static final String SUBSCRIBER_OFFER = "subscriber-offer-handwritten.sdp";
    static final String DEFAULT_CODECS = "offer-default-codecs.sdp";

    static final List<String> ALL = List.of(AUDIO_VIDEO, AUDIO_VIDEO_SCREEN, SIMULCAST, SUBSCRIBER_ANSWER,
            SUBSCRIBER_OFFER, DEFAULT_CODECS);

    private Fixtures() {}

    static String text(String name) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/chromium/" + name)) {
            if (in == null) {
                throw new IllegalStateException("no fixture " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static SessionDescription parsed(String name) {
        try {
            return SdpParser.parse(text(name));
        } catch (SdpParseException e) {
            throw new AssertionError(name + " does not parse: " + e.getMessage(), e);
        }
    }
}
