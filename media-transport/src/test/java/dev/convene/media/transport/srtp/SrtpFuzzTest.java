package dev.convene.media.transport.srtp;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.convene.media.core.Framed;
import java.util.Arrays;

/**
 * SRTP/SRTCP unprotect under fixed keys, for every profile (RFC 3711, RFC 7714).
 * {@code unprotectGarbage}: any bytes give an {@link SrtpError} code (or, never in practice, a
 * length), never an exception, touch nothing outside the packet and leave no per-SSRC state
 * behind. {@code tamperedPackets}: what we protect unprotects to the same bytes exactly once
 * (a replay is refused), and any single changed byte is refused.
 */
class SrtpFuzzTest {

    private static SrtpContext context(SrtpProfile profile) {
        byte[] key = new byte[profile.keyLength()];
        byte[] salt = new byte[profile.saltLength()];
        for (int i = 0; i < key.length; i++) {
            key[i] = (byte) (3 * i + 1);
        }
        for (int i = 0; i < salt.length; i++) {
            salt[i] = (byte) (0x5A ^ i);
        }
        return new SrtpContext(profile, key, salt);
    }

    @FuzzTest
    void unprotectGarbage(FuzzedDataProvider data) {
        SrtpProfile profile = data.pickValue(SrtpProfile.values());
        boolean rtcp = data.consumeBoolean();
        byte[] packet = data.consumeRemainingAsBytes();
        SrtpContext shared = context(profile);
        int result = Framed.check(packet, (buf, off, len) -> {
            // A fresh context for each placement (so all three start equal), and the shared one
            // twice: garbage must leave no state that changes the second answer.
            byte[] copy = Arrays.copyOfRange(buf, off, off + len);
            SrtpContext fresh = context(profile);
            int n = rtcp ? fresh.unprotectRtcp(buf, off, len) : fresh.unprotectRtp(buf, off, len);
            if (n < 0) {
                for (int i = 0; i < 2; i++) {
                    byte[] again = copy.clone();
                    int m = rtcp ? shared.unprotectRtcp(again, 0, again.length) : shared.unprotectRtp(again, 0, again.length);
                    assertThat(m).as("a refused packet leaves no state behind").isEqualTo(n);
                }
            }
            return n;
        });
        if (result < 0) {
            assertThat(result).isBetween(SrtpError.CRYPTO_ERROR, SrtpError.MALFORMED);
            assertThat(SrtpError.name(result)).isNotEqualTo("unknown");
        } else {
            assertThat(result).isLessThan(packet.length);
        }
    }

    @FuzzTest
    void tamperedPackets(FuzzedDataProvider data) {
        SrtpProfile profile = data.pickValue(SrtpProfile.values());
        boolean rtcp = data.consumeBoolean();
        // Reduced with floorMod below: consumeInt(0, Integer.MAX_VALUE) returned a negative value
        // under Jazzer 0.24 (crash-3352ba8c… in the corpus, a harness fault).
        int flipAt = data.consumeInt();
        byte flip = data.consumeByte();
        byte[] plain = data.consumeRemainingAsBytes();
        if (plain.length < (rtcp ? 8 : 12)) {
            return;
        }
        plain[0] = (byte) (0x80 | plain[0] & 0x3F);
        int overhead = rtcp ? profile.rtcpOverhead() : profile.rtpOverhead();
        int probe = protect(context(profile), rtcp, Arrays.copyOf(plain, plain.length + overhead), plain.length);
        if (probe < 0) {
            // Only an RTP header that runs past the packet cannot be protected.
            assertThat(rtcp).isFalse();
            assertThat(probe).isEqualTo(SrtpError.MALFORMED);
            return;
        }
        byte[] protectedPacket = Framed.write(plain.length + overhead, (buf, off) -> {
            System.arraycopy(plain, 0, buf, off, plain.length);
            return protect(context(profile), rtcp, buf, off, plain.length);
        });
        assertThat(protectedPacket).hasSize(plain.length + overhead);

        SrtpContext receiver = context(profile);
        String received = Framed.check(protectedPacket, (buf, off, len) -> {
            int n = unprotect(context(profile), rtcp, buf, off, len);
            assertThat(n).as("our own packet unprotects").isEqualTo(plain.length);
            return java.util.HexFormat.of().formatHex(buf, off, off + n);
        });
        assertThat(received).isEqualTo(java.util.HexFormat.of().formatHex(plain));
        byte[] once = protectedPacket.clone();
        assertThat(unprotect(receiver, rtcp, once)).isEqualTo(plain.length);
        assertThat(unprotect(receiver, rtcp, protectedPacket.clone())).as("a replay").isEqualTo(SrtpError.REPLAYED);

        if (flip != 0) {
            byte[] tampered = protectedPacket.clone();
            int at = Math.floorMod(flipAt, tampered.length);
            tampered[at] ^= flip;
            assertThat(unprotect(context(profile), rtcp, tampered)).as("one byte changed at %d", at)
                    .isNegative();
        }
    }

    private static int protect(SrtpContext context, boolean rtcp, byte[] buf, int len) {
        return protect(context, rtcp, buf, 0, len);
    }

    private static int protect(SrtpContext context, boolean rtcp, byte[] buf, int off, int len) {
        return rtcp ? context.protectRtcp(buf, off, len) : context.protectRtp(buf, off, len);
    }

    private static int unprotect(SrtpContext context, boolean rtcp, byte[] packet) {
        return unprotect(context, rtcp, packet, 0, packet.length);
    }

    private static int unprotect(SrtpContext context, boolean rtcp, byte[] buf, int off, int len) {
        return rtcp ? context.unprotectRtcp(buf, off, len) : context.unprotectRtp(buf, off, len);
    }
}
