package dev.convene.media.core.rtp;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.convene.media.core.Framed;
import dev.convene.media.core.PacketClassifier;
import java.util.ArrayList;
import java.util.List;

/**
 * Any datagram through {@link RtpPacket} (RFC 3550 §5.1, RFC 8285): {@code wrap} says yes or no
 * and never throws; after a yes, every accessor and header-extension lookup stays inside the
 * packet, the parts add up to its length, and in-place rewrites read back as written and touch
 * nothing outside it. Corpus: {@code src/test/resources/.../RtpPacketFuzzTestInputs/}.
 */
class RtpPacketFuzzTest {

    /** Everything a view reports, with offsets relative to the packet's start. */
    record Seen(boolean wrapped, String classified, int staticHeaderLength, List<Object> fields,
            List<Object> afterRewrite) {}

    @FuzzTest
    void rtpPacket(byte[] data) {
        Seen seen = Framed.check(data, RtpPacketFuzzTest::observe);
        if (!seen.wrapped() && seen.staticHeaderLength() >= 0) {
            // A well-formed header is refused only for its padding.
            assertThat(data[0] & 0x20).as("P bit of a packet refused despite a valid header").isNotZero();
        }
    }

    static Seen observe(byte[] buf, int off, int len) {
        RtpPacket packet = new RtpPacket();
        String classified = PacketClassifier.classify(buf, off, len).name();
        int staticHeader = RtpPacket.headerLength(buf, off, len);
        if (!packet.wrap(buf, off, len)) {
            assertThat(packet.buffer()).isNull();
            return new Seen(false, classified, staticHeader, List.of(), List.of());
        }
        assertThat(packet.headerLength()).isEqualTo(staticHeader);
        assertThat(packet.payloadOffset() - off + packet.payloadLength() + packet.paddingLength()).isEqualTo(len);
        assertThat(packet.payloadLength()).isNotNegative();
        int[] ids = candidateIds(packet);
        List<Object> fields = read(packet, off, ids);

        // Rewrite every field we can, then check a fresh view reads back exactly that.
        int seq = ~packet.sequenceNumber() & 0xFFFF;
        long ts = ~packet.timestamp() & 0xFFFFFFFFL;
        long ssrc = ~packet.ssrc() & 0xFFFFFFFFL;
        int pt = packet.payloadType() ^ 0x55;
        boolean marker = !packet.marker();
        packet.setSequenceNumber(seq);
        packet.setTimestamp(ts);
        packet.setSsrc(ssrc);
        packet.setPayloadType(pt);
        packet.setMarker(marker);
        List<byte[]> written = new ArrayList<>();
        for (int id : ids) {
            int at = packet.extensionOffset(id);
            if (at < 0) {
                written.add(null);
                continue;
            }
            int length = packet.extensionLength(id);
            byte[] value = new byte[length];
            for (int i = 0; i < length; i++) {
                value[i] = (byte) ~buf[at + length - 1 - i];
            }
            assertThat(packet.setExtension(id, value, 0, length)).isTrue();
            assertThat(packet.setExtension(id, value, 0, length + 1)).isFalse();
            written.add(value);
        }
        boolean levelWritten = AudioLevelExtension.write(packet, 1, true, 42);

        RtpPacket again = new RtpPacket();
        assertThat(again.wrap(buf, off, len)).as("rewritten packet still parses").isTrue();
        assertThat(again.sequenceNumber()).isEqualTo(seq);
        assertThat(again.timestamp()).isEqualTo(ts);
        assertThat(again.ssrc()).isEqualTo(ssrc);
        assertThat(again.payloadType()).isEqualTo(pt & 0x7F);
        assertThat(again.marker()).isEqualTo(marker);
        assertThat(again.headerLength()).isEqualTo(packet.headerLength());
        assertThat(again.paddingLength()).isEqualTo(packet.paddingLength());
        for (int i = 0; i < ids.length; i++) {
            int id = ids[i];
            byte[] value = written.get(i);
            int at = again.extensionOffset(id);
            assertThat(at >= 0).as("extension %d still present", id).isEqualTo(value != null);
            if (value != null && !(levelWritten && id == 1)) {
                assertThat(java.util.Arrays.copyOfRange(buf, at, at + value.length)).isEqualTo(value);
            }
        }
        if (levelWritten) {
            assertThat(AudioLevelExtension.level(again, 1)).isEqualTo(42);
            assertThat(AudioLevelExtension.voiceActivity(again, 1)).isTrue();
        }
        return new Seen(true, classified, staticHeader, fields, read(again, off, ids));
    }

    /**
     * Ids to look up: 0–16 and 255–256 (both forms' limits), and ids as the first bytes of the
     * extension block would spell them, so two-byte elements are found without trying all 256
     * ids on every input, which kept this target at a few hundred inputs a second.
     */
    private static int[] candidateIds(RtpPacket p) {
        java.util.TreeSet<Integer> ids = new java.util.TreeSet<>();
        for (int id = 0; id <= 16; id++) {
            ids.add(id);
        }
        ids.add(255);
        ids.add(256);
        int start = p.extensionDataOffset();
        for (int i = 0; start >= 0 && i < Math.min(64, p.extensionDataLength()); i++) {
            ids.add(p.buffer()[start + i] & 0xFF);
        }
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    private static List<Object> read(RtpPacket p, int off, int[] ids) {
        List<Object> out = new ArrayList<>(List.of(p.version(), p.hasPadding(), p.hasExtension(), p.csrcCount(),
                p.marker(), p.payloadType(), p.sequenceNumber(), p.timestamp(), p.ssrc(), p.headerLength(),
                p.payloadOffset() - off, p.payloadLength(), p.paddingLength(), p.extensionProfile(),
                p.extensionDataOffset() < 0 ? -1 : p.extensionDataOffset() - off, p.extensionDataLength(),
                p.hasOneByteExtensions(), p.hasTwoByteExtensions(), p.toString()));
        for (int i = 0; i < p.csrcCount(); i++) {
            out.add(p.csrc(i));
        }
        for (int id : ids) {
            int at = p.extensionOffset(id);
            int length = p.extensionLength(id);
            assertThat(at < 0).isEqualTo(length < 0);
            if (at >= 0) {
                // An element's data lies inside the extension block, which lies inside the header.
                assertThat(at).isGreaterThanOrEqualTo(p.extensionDataOffset());
                assertThat(at + length).isLessThanOrEqualTo(p.extensionDataOffset() + p.extensionDataLength());
                assertThat(at + length - off).isLessThanOrEqualTo(p.headerLength());
                out.add(id + "@" + (at - off) + "+" + length);
            }
        }
        out.add(AudioLevelExtension.level(p, 1));
        out.add(AudioLevelExtension.voiceActivity(p, 1));
        return out;
    }
}
