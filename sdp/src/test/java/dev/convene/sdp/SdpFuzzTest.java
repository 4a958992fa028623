package dev.convene.sdp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Mutates the Chromium fixtures with a fixed seed: parsing must either succeed or throw
 * {@link SdpParseException}; what parses must serialize stably and answer every typed
 * accessor without throwing.
 */
class SdpFuzzTest {
    private static final long SEED = 0x5D9_C0DEL;
    private static final int ROUNDS = 2000;
    private static final String[] TOKENS = {
            "\r\n", "\n", "\r", "\u0000", " ", "  ", ":", "/", ";", ",", "=", "*", "~", "-1", "0", "128", "65536",
            "4294967296", "99999999999999999999", "a=", "m=", "t=0 0", "v=0", "typ", "é", "\uD83D\uDE00", "\t",
            "a=rtpmap:", "a=fmtp:96 apt=", "a=simulcast:send ", "a=rid:", "a=candidate:", "a=mid:0", "a=group:BUNDLE "};

    @Test
    void mutatedFixturesParseOrFailCleanly() {
        Random random = new Random(SEED);
        List<String> fixtures = Fixtures.ALL.stream().map(Fixtures::text).toList();
        int parsed = 0;
        int rejected = 0;
        for (int round = 0; round < ROUNDS; round++) {
            String input = fixtures.get(random.nextInt(fixtures.size()));
            int mutations = 1 + random.nextInt(4);
            for (int i = 0; i < mutations; i++) {
                input = mutate(input, random);
            }
            try {
                SessionDescription sdp = SdpParser.parse(input);
                parsed++;
                checkStable(sdp, round);
            } catch (SdpParseException e) {
                rejected++;
                assertThat(e.getMessage()).isNotBlank();
            } catch (RuntimeException | Error e) {
                fail("round " + round + ": " + e + " for input:\n" + input, e);
            }
        }
        // Both outcomes must actually occur, or the mutations are too weak or too strong.
        assertThat(parsed).isGreaterThan(ROUNDS / 20);
        assertThat(rejected).isGreaterThan(ROUNDS / 20);
    }

    static void checkStable(SessionDescription sdp, int round) throws SdpParseException {
        String text = sdp.toString();
        SessionDescription again = SdpParser.parse(text);
        assertThat(again).as("round %d", round).isEqualTo(sdp);
        assertThat(again.toString()).as("round %d", round).isEqualTo(text);
        sdp.groups();
        sdp.bundleGroup();
        sdp.fingerprints();
        sdp.timing();
        for (MediaDescription m : sdp.media()) {
            m.mid();
            m.direction();
            m.iceUfrag();
            m.icePwd();
            m.iceOptions();
            m.fingerprints();
            m.setup();
            m.candidates();
            m.payloadTypes();
            for (Codec c : m.codecs().subList(0, Math.min(3, m.codecs().size()))) {
                m.rtxPayloadTypeFor(c.payloadType());
                m.rtcpFeedback(c.payloadType());
                c.parameters();
            }
            m.payloadTypeFor("VP8", 90000);
            m.extmaps();
            m.ssrcAttributes();
            m.ssrcs();
            m.ssrcGroups();
            m.msids();
            m.rids().forEach(Rid::payloadTypes);
            m.simulcast().ifPresent(Simulcast::sendRids);
            // The builder sorts lines into RFC order, so only the set of lines is kept.
            assertThat(m.toBuilder().build().lines()).containsExactlyInAnyOrderElementsOf(m.lines());
        }
    }

    private static String mutate(String input, Random random) {
        if (input.isEmpty()) {
            return TOKENS[random.nextInt(TOKENS.length)];
        }
        int at = random.nextInt(input.length());
        return switch (random.nextInt(8)) {
            case 0 -> input.substring(0, at) + input.substring(Math.min(input.length(), at + 1 + random.nextInt(8)));
            case 1 -> input.substring(0, at) + TOKENS[random.nextInt(TOKENS.length)] + input.substring(at);
            case 2 -> input.substring(0, at) + (char) random.nextInt(128) + input.substring(at + 1);
            case 3 -> input.substring(0, at);
            case 4 -> swapLines(input, random);
            case 5 -> duplicateLine(input, random);
            case 6 -> replaceDigits(input, at, random);
            default -> input.substring(0, at) + TOKENS[random.nextInt(TOKENS.length)] + input.substring(at + 1);
        };
    }

    private static String swapLines(String input, Random random) {
        List<String> lines = new ArrayList<>(Arrays.asList(input.split("\r\n", -1)));
        int a = random.nextInt(lines.size());
        int b = random.nextInt(lines.size());
        String t = lines.get(a);
        lines.set(a, lines.get(b));
        lines.set(b, t);
        return String.join("\r\n", lines);
    }

    private static String duplicateLine(String input, Random random) {
        List<String> lines = new ArrayList<>(Arrays.asList(input.split("\r\n", -1)));
        int a = random.nextInt(lines.size());
        lines.add(random.nextInt(lines.size()), lines.get(a));
        return String.join("\r\n", lines);
    }

    private static String replaceDigits(String input, int at, Random random) {
        StringBuilder out = new StringBuilder(input);
        for (int i = at; i < out.length() && i < at + 12; i++) {
            if (Character.isDigit(out.charAt(i))) {
                out.setCharAt(i, random.nextBoolean() ? '9' : 'x');
            }
        }
        return out.toString();
    }
}
