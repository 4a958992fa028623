package dev.convene.server.browser;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * WAV files for Chromium's {@code --use-file-for-fake-audio-capture}: a microphone that plays
 * silence, or one that plays speech-like bursts loud enough for the SFU's active-speaker
 * detection. One file per Chromium process, so pages that must sound different need browsers of
 * their own ({@link BrowserFixture#launch}).
 */
final class FakeMicrophone {

    private FakeMicrophone() {}

    /** 10 s of silence. */
    static Path silence(Path path) throws IOException {
        return wav(path, false);
    }

    /** 10 s of noise in four bursts a second (about -12 dBov at their peak). */
    static Path speech(Path path) throws IOException {
        return wav(path, true);
    }

    /**
     * 48 kHz mono 16-bit PCM: silence, or noise bursts — speech-like enough that noise
     * suppression keeps them.
     */
    private static Path wav(Path path, boolean loud) throws IOException {
        int rate = 48_000;
        int samples = rate * 10;
        ByteBuffer b = ByteBuffer.allocate(44 + samples * 2).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes()).putInt(36 + samples * 2).put("WAVE".getBytes());
        b.put("fmt ".getBytes()).putInt(16).putShort((short) 1).putShort((short) 1).putInt(rate).putInt(rate * 2)
                .putShort((short) 2).putShort((short) 16);
        b.put("data".getBytes()).putInt(samples * 2);
        Random random = new Random(6464);
        for (int i = 0; i < samples; i++) {
            double t = (double) i / rate;
            double envelope = loud ? Math.abs(Math.sin(2 * Math.PI * 2 * t)) : 0;
            double sample = envelope * (0.5 * Math.sin(2 * Math.PI * 220 * t) + 0.3 * (random.nextDouble() * 2 - 1));
            b.putShort((short) Math.round(sample * 0.5 * Short.MAX_VALUE));
        }
        Files.write(path, b.array());
        return path;
    }
}
