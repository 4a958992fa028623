package dev.convene.server.browser;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

/**
 * Files for Chromium's fake capture devices ({@code --use-file-for-fake-video-capture},
 * {@code --use-file-for-fake-audio-capture}), written by the test so nothing binary is checked in
 * and no ffmpeg is needed. Chromium plays each in a loop.
 */
final class FakeCapture {

    private FakeCapture() {}

    /**
     * A Y4M (I420) clip of {@code frames} frames at {@code fps}: a gradient with a bright square
     * moving across it, so the encoder has motion to code (a still picture would be nearly free
     * and unlike a camera).
     */
    static Path y4m(Path path, int width, int height, int fps, int frames) throws IOException {
        int ySize = width * height;
        int cSize = (width / 2) * (height / 2);
        byte[] y = new byte[ySize];
        byte[] u = new byte[cSize];
        byte[] v = new byte[cSize];
        try (OutputStream out = Files.newOutputStream(path)) {
            out.write(("YUV4MPEG2 W" + width + " H" + height + " F" + fps + ":1 Ip A1:1 C420jpeg\n")
                    .getBytes(StandardCharsets.US_ASCII));
            int box = height / 3;
            for (int f = 0; f < frames; f++) {
                for (int row = 0; row < height; row++) {
                    for (int col = 0; col < width; col++) {
                        y[row * width + col] = (byte) (40 + (col + row) * 120 / (width + height));
                    }
                }
                int left = (width - box) * f / Math.max(1, frames - 1);
                int top = (height - box) / 2;
                for (int row = top; row < top + box; row++) {
                    Arrays.fill(y, row * width + left, row * width + left + box, (byte) 220);
                }
                Arrays.fill(u, (byte) (110 + f % 30));
                Arrays.fill(v, (byte) (150 - f % 30));
                out.write("FRAME\n".getBytes(StandardCharsets.US_ASCII));
                out.write(y);
                out.write(u);
                out.write(v);
            }
        }
        return path;
    }

    /**
     * 10 s of 48 kHz mono 16-bit PCM: silence, or noise in four bursts a second (about -12 dBov
     * at their peak) — speech-like enough that Chromium's noise suppression keeps it.
     */
    static Path wav(Path path, boolean loud) throws IOException {
        int rate = 48_000;
        int samples = rate * 10;
        ByteBuffer b = ByteBuffer.allocate(44 + samples * 2).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(36 + samples * 2)
                .put("WAVE".getBytes(StandardCharsets.US_ASCII));
        b.put("fmt ".getBytes(StandardCharsets.US_ASCII)).putInt(16).putShort((short) 1).putShort((short) 1)
                .putInt(rate).putInt(rate * 2).putShort((short) 2).putShort((short) 16);
        b.put("data".getBytes(StandardCharsets.US_ASCII)).putInt(samples * 2);
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
