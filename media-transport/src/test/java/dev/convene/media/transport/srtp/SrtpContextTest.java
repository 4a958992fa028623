package dev.convene.media.transport.srtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SrtpContextTest {
    private static final int SSRC = 0x11223344;
    private static final int OFF = 7; // a non-zero base offset everywhere, as in pooled buffers

    private static SrtpContext context(SrtpProfile profile) {
        byte[] key = new byte[profile.keyLength()];
        byte[] salt = new byte[profile.saltLength()];
        for (int i = 0; i < key.length; i++) {
            key[i] = (byte) (i * 7 + 1);
        }
        for (int i = 0; i < salt.length; i++) {
            salt[i] = (byte) (0xA0 + i);
        }
        return new SrtpContext(profile, key, salt);
    }

    /** An RTP packet at {@link #OFF}, with CSRCs, a header extension and padding when asked. */
    private static byte[] rtp(int seq, int csrcs, boolean extension, int padding, int payload, int spare) {
        int hdr = 12 + 4 * csrcs + (extension ? 4 + 8 : 0);
        int len = hdr + payload + padding;
        byte[] b = new byte[OFF + len + spare];
        b[OFF] = (byte) (0x80 | (padding > 0 ? 0x20 : 0) | (extension ? 0x10 : 0) | csrcs);
        b[OFF + 1] = 96;
        b[OFF + 2] = (byte) (seq >>> 8);
        b[OFF + 3] = (byte) seq;
        b[OFF + 4] = 0x12;
        b[OFF + 7] = (byte) seq;
        b[OFF + 8] = 0x11;
        b[OFF + 9] = 0x22;
        b[OFF + 10] = 0x33;
        b[OFF + 11] = 0x44;
        for (int i = 0; i < csrcs; i++) {
            b[OFF + 12 + 4 * i + 3] = (byte) (i + 1);
        }
        if (extension) {
            int e = OFF + 12 + 4 * csrcs;
            b[e] = (byte) 0xBE;
            b[e + 1] = (byte) 0xDE;
            b[e + 3] = 2; // two 32-bit words follow
            b[e + 4] = 0x10;
            b[e + 5] = 0x7F;
        }
        for (int i = 0; i < payload; i++) {
            b[OFF + hdr + i] = (byte) (i ^ seq);
        }
        if (padding > 0) {
            b[OFF + len - 1] = (byte) padding;
        }
        return b;
    }

    private static int rtpLength(byte[] packet, int spare) {
        return packet.length - OFF - spare;
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void rtpRoundTripsWithCsrcsExtensionAndPadding(SrtpProfile profile) {
        SrtpContext sender = context(profile);
        SrtpContext receiver = context(profile);
        int spare = profile.rtpOverhead();
        int seq = 1000;
        for (int csrcs : new int[] {0, 1, 15}) {
            for (boolean ext : new boolean[] {false, true}) {
                for (int padding : new int[] {0, 3}) {
                    for (int payload : new int[] {0, 1, 160, 1200}) {
                        byte[] buf = rtp(seq++, csrcs, ext, padding, payload, spare);
                        int len = rtpLength(buf, spare);
                        byte[] plain = Arrays.copyOfRange(buf, OFF, OFF + len);
                        int hdr = 12 + 4 * csrcs + (ext ? 12 : 0);

                        int protectedLength = sender.protectRtp(buf, OFF, len);
                        assertThat(protectedLength).isEqualTo(len + profile.rtpOverhead());
                        assertThat(Arrays.copyOfRange(buf, OFF, OFF + hdr))
                                .as("the header stays in the clear").isEqualTo(Arrays.copyOf(plain, hdr));
                        if (payload + padding > 0) {
                            assertThat(Arrays.copyOfRange(buf, OFF + hdr, OFF + len))
                                    .isNotEqualTo(Arrays.copyOfRange(plain, hdr, len));
                        }

                        assertThat(receiver.unprotectRtp(buf, OFF, protectedLength)).isEqualTo(len);
                        assertThat(Arrays.copyOfRange(buf, OFF, OFF + len)).isEqualTo(plain);
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void rtcpRoundTripsAndIndexAdvances(SrtpProfile profile) {
        SrtpContext sender = context(profile);
        SrtpContext receiver = context(profile);
        for (int i = 0; i < 5; i++) {
            byte[] rtcp = rtcp(40 + 4 * i);
            byte[] buf = new byte[OFF + rtcp.length + profile.rtcpOverhead()];
            System.arraycopy(rtcp, 0, buf, OFF, rtcp.length);

            int n = sender.protectRtcp(buf, OFF, rtcp.length);
            assertThat(n).isEqualTo(rtcp.length + profile.rtcpOverhead());
            int trailerAt = OFF + n - (profile.isAead() ? 4 : 4 + profile.rtcpAuthTagLength());
            assertThat(PacketTransform.readInt(buf, trailerAt)).isEqualTo(0x80000000 | i);

            assertThat(receiver.unprotectRtcp(buf, OFF, n)).isEqualTo(rtcp.length);
            assertThat(Arrays.copyOfRange(buf, OFF, OFF + rtcp.length)).isEqualTo(rtcp);
        }
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void tamperedPacketsFailAuthenticationAndLeaveNoState(SrtpProfile profile) {
        SrtpContext sender = context(profile);
        SrtpContext receiver = context(profile);
        int spare = profile.rtpOverhead();
        byte[] buf = rtp(5, 1, true, 0, 100, spare);
        int n = sender.protectRtp(buf, OFF, rtpLength(buf, spare));
        byte[] good = buf.clone();

        for (int at : new int[] {1, 4, 12, 20, 60, n - 1}) { // header, CSRC, extension, payload, tag
            byte[] bad = good.clone();
            bad[OFF + at] ^= 0x01;
            assertThat(receiver.unprotectRtp(bad, OFF, n)).as("flip at %d", at).isEqualTo(SrtpError.AUTH_FAILED);
        }
        // Another master key fails too, and none of the failures consumed the index.
        SrtpContext stranger = new SrtpContext(profile, new byte[profile.keyLength()], new byte[profile.saltLength()]);
        assertThat(stranger.unprotectRtp(good.clone(), OFF, n)).isEqualTo(SrtpError.AUTH_FAILED);
        assertThat(receiver.unprotectRtp(good, OFF, n)).isEqualTo(n - spare);

        byte[] rtcp = rtcp(28);
        byte[] r = Arrays.copyOf(rtcp, 28 + profile.rtcpOverhead());
        int m = sender.protectRtcp(r, 0, 28);
        for (int at : new int[] {0, 5, 10, m - 5, m - 1}) {
            byte[] bad = r.clone();
            bad[at] ^= 0x40;
            assertThat(receiver.unprotectRtcp(bad, 0, m)).as("rtcp flip at %d", at).isIn(SrtpError.AUTH_FAILED,
                    SrtpError.MALFORMED);
        }
        assertThat(receiver.unprotectRtcp(r, 0, m)).isEqualTo(28);
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void replaysAreRejectedAndReorderingWithinTheWindowIsAccepted(SrtpProfile profile) {
        SrtpContext sender = context(profile);
        SrtpContext receiver = context(profile);
        int spare = profile.rtpOverhead();
        byte[][] packets = new byte[1200][];
        int[] lengths = new int[packets.length];
        for (int i = 0; i < packets.length; i++) {
            packets[i] = rtp(60000 + i & 0xFFFF, 0, false, 0, 20, spare);
            lengths[i] = sender.protectRtp(packets[i], OFF, rtpLength(packets[i], spare));
        }
        assertThat(accept(receiver, packets[10], lengths[10])).isTrue();
        byte[] again = packets[10].clone();
        assertThat(receiver.unprotectRtp(again, OFF, lengths[10])).isEqualTo(SrtpError.REPLAYED);

        assertThat(accept(receiver, packets[12], lengths[12])).isTrue();
        assertThat(accept(receiver, packets[11], lengths[11])).as("late but inside the window").isTrue();
        assertThat(receiver.unprotectRtp(packets[11].clone(), OFF, lengths[11])).isEqualTo(SrtpError.REPLAYED);

        assertThat(accept(receiver, packets[1100], lengths[1100])).isTrue();
        assertThat(accept(receiver, packets[100], lengths[100]))
                .as("1000 behind: inside the 1024 window").isTrue();
        assertThat(receiver.unprotectRtp(packets[40].clone(), OFF, lengths[40]))
                .as("1060 behind: older than the window").isEqualTo(SrtpError.REPLAYED);

        // SRTCP: same packet twice.
        byte[] r = Arrays.copyOf(rtcp(28), 28 + profile.rtcpOverhead());
        int m = sender.protectRtcp(r, 0, 28);
        byte[] copy = r.clone();
        assertThat(receiver.unprotectRtcp(r, 0, m)).isEqualTo(28);
        assertThat(receiver.unprotectRtcp(copy, 0, m)).isEqualTo(SrtpError.REPLAYED);
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void rolloverCounterAdvancesAcrossSequenceWrap(SrtpProfile profile) {
        SrtpContext sender = context(profile);
        SrtpContext receiver = context(profile);
        int spare = profile.rtpOverhead();
        int[] seqs = {65533, 65534, 65535, 0, 1, 2};
        byte[][] p = new byte[seqs.length][];
        int[] n = new int[seqs.length];
        for (int i = 0; i < seqs.length; i++) {
            p[i] = rtp(seqs[i], 0, false, 0, 32, spare);
            n[i] = sender.protectRtp(p[i], OFF, rtpLength(p[i], spare));
            assertThat(n[i]).isPositive();
        }
        // In order up to 65535, then 1 (ROC 1) before 0, then the late 65534 is a replay.
        assertThat(accept(receiver, p[0], n[0])).isTrue();
        assertThat(accept(receiver, p[2], n[2])).isTrue();
        assertThat(accept(receiver, p[4], n[4])).as("seq 1 after the wrap").isTrue();
        assertThat(accept(receiver, p[3], n[3])).as("seq 0, out of order").isTrue();
        assertThat(accept(receiver, p[1], n[1])).as("seq 65534 from ROC 0 after ROC 1 began").isTrue();
        assertThat(accept(receiver, p[5], n[5])).isTrue();

        // Over many wraps, in order.
        SrtpContext s2 = context(profile);
        SrtpContext r2 = context(profile);
        for (int i = 0; i < 3 * 65536 + 10; i += 97) {
            byte[] b = rtp(i & 0xFFFF, 0, false, 0, 4, spare);
            int len = s2.protectRtp(b, OFF, rtpLength(b, spare));
            assertThat(r2.unprotectRtp(b, OFF, len)).as("index %d", i).isEqualTo(len - spare);
        }
    }

    @Test
    void protectingTheSameIndexTwiceIsRefused() {
        SrtpContext sender = context(SrtpProfile.AEAD_AES_128_GCM);
        int spare = 16;
        assertThat(sender.protectRtp(rtp(9, 0, false, 0, 10, spare), OFF, 22)).isEqualTo(38);
        assertThat(sender.protectRtp(rtp(9, 0, false, 0, 10, spare), OFF, 22)).isEqualTo(SrtpError.REPLAYED);
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void truncatedAndMalformedPacketsAreMalformed(SrtpProfile profile) {
        SrtpContext sender = context(profile);
        SrtpContext receiver = context(profile);
        int spare = profile.rtpOverhead();
        byte[] buf = rtp(77, 2, true, 0, 50, spare);
        int n = sender.protectRtp(buf, OFF, rtpLength(buf, spare));
        int hdr = 12 + 8 + 12;

        for (int len : new int[] {0, 1, 11, 12, hdr - 1, hdr + spare - 1}) {
            assertThat(receiver.unprotectRtp(buf.clone(), OFF, len)).as("len %d", len).isEqualTo(SrtpError.MALFORMED);
        }
        assertThat(receiver.unprotectRtp(buf.clone(), OFF, n - 1)).isIn(SrtpError.AUTH_FAILED, SrtpError.MALFORMED);
        byte[] v1 = buf.clone();
        v1[OFF] = (byte) 0x40;
        assertThat(receiver.unprotectRtp(v1, OFF, n)).isEqualTo(SrtpError.MALFORMED);
        assertThat(receiver.unprotectRtp(buf, OFF, buf.length)).as("len beyond the array").isEqualTo(SrtpError.MALFORMED);
        assertThat(receiver.unprotectRtp(buf, -1, 20)).isEqualTo(SrtpError.MALFORMED);
        assertThat(receiver.unprotectRtp(null, 0, 20)).isEqualTo(SrtpError.MALFORMED);

        byte[] tight = rtp(78, 0, false, 0, 10, spare - 1);
        assertThat(sender.protectRtp(tight, OFF, 22)).isEqualTo(SrtpError.BUFFER_TOO_SMALL);
        assertThat(sender.protectRtp(new byte[40], 0, 11)).isEqualTo(SrtpError.MALFORMED);
        assertThat(sender.protectRtcp(new byte[40], 0, 7)).isEqualTo(SrtpError.MALFORMED);
        assertThat(sender.protectRtcp(Arrays.copyOf(rtcp(28), 30), 0, 28)).isEqualTo(SrtpError.BUFFER_TOO_SMALL);
        for (int len = 0; len < 8 + 4 + profile.rtcpAuthTagLength(); len++) {
            assertThat(receiver.unprotectRtcp(rtcp(64), 0, len)).isEqualTo(SrtpError.MALFORMED);
        }
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void randomGarbageNeverThrowsAndNeverAuthenticates(SrtpProfile profile) {
        SrtpContext ctx = context(profile);
        Random random = new Random(20261124L);
        byte[] buf = new byte[1600];
        for (int i = 0; i < 20_000; i++) {
            int len = random.nextInt(300);
            int off = random.nextInt(8);
            random.nextBytes(buf);
            if (random.nextBoolean()) {
                buf[off] = (byte) (0x80 | (buf[off] & 0x3F)); // make it look like RTP/RTCP v2
            }
            int probe = random.nextInt(4);
            int result = switch (probe) {
                case 0 -> ctx.unprotectRtp(buf, off, len);
                case 1 -> ctx.unprotectRtcp(buf, off, len);
                case 2 -> ctx.protectRtp(buf, off, len);
                default -> ctx.protectRtcp(buf, off, len);
            };
            if (probe < 2) {
                assertThat(result).isNegative();
            }
        }
    }

    @Test
    void rejectsKeysOfTheWrongLength() {
        assertThatThrownBy(() -> new SrtpContext(SrtpProfile.AEAD_AES_256_GCM, new byte[16], new byte[12]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SrtpContext(SrtpProfile.AES_CM_128_HMAC_SHA1_80, new byte[16], new byte[12]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SrtpContext(SrtpProfile.AES_CM_128_HMAC_SHA1_80, new byte[16], new byte[14], 100))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void errorNamesAreStable() {
        assertThat(SrtpError.name(SrtpError.AUTH_FAILED)).isEqualTo("auth_failed");
        assertThat(SrtpError.name(SrtpError.REPLAYED)).isEqualTo("replayed");
        assertThat(SrtpError.name(SrtpError.MALFORMED)).isEqualTo("malformed");
        assertThat(SrtpError.name(12)).isEqualTo("ok");
    }

    private static boolean accept(SrtpContext receiver, byte[] packet, int len) {
        return receiver.unprotectRtp(packet.clone(), OFF, len) >= 0;
    }

    private static byte[] rtcp(int len) {
        byte[] b = new byte[len];
        b[0] = (byte) 0x80;
        b[1] = (byte) 200;
        b[3] = (byte) (len / 4 - 1);
        b[4] = 0x55;
        b[5] = 0x66;
        b[6] = 0x77;
        b[7] = 0x01;
        for (int i = 8; i < len; i++) {
            b[i] = (byte) (i * 3);
        }
        return b;
    }
}
