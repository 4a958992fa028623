package dev.convene.media.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PacketClassifierTest {

    /** RFC 7983 §7 first-byte ranges, RFC 5761 §4 second-byte split of RTP and RTCP. */
    @ParameterizedTest
    @CsvSource({
            "0, 0, STUN", "1, 1, STUN", "3, 0, STUN",
            "4, 0, UNKNOWN", "16, 0, UNKNOWN", "19, 0, UNKNOWN",
            "20, 0, DTLS", "22, 254, DTLS", "63, 0, DTLS",
            "64, 0, UNKNOWN", "79, 0, UNKNOWN", "127, 0, UNKNOWN",
            "128, 96, RTP", "128, 0, RTP", "144, 224, RTP", "191, 127, RTP", "128, 191, RTP",
            "128, 192, RTCP", "129, 200, RTCP", "129, 201, RTCP", "143, 206, RTCP", "128, 223, RTCP",
            "192, 200, UNKNOWN", "255, 0, UNKNOWN"
    })
    void classifiesByFirstTwoBytes(int first, int second, PacketKind expected) {
        byte[] buf = {0x55, 0x55, (byte) first, (byte) second, 0, 0};
        assertThat(PacketClassifier.classify(buf, 2, 4)).isEqualTo(expected);
    }

    @Test
    void rejectsEmptyShortAndOutOfBoundsRanges() {
        byte[] buf = {(byte) 0x80, (byte) 0xC8};
        assertThat(PacketClassifier.classify(buf, 0, 0)).isEqualTo(PacketKind.UNKNOWN);
        assertThat(PacketClassifier.classify(buf, 0, 1)).isEqualTo(PacketKind.UNKNOWN);
        assertThat(PacketClassifier.classify(buf, 1, 2)).isEqualTo(PacketKind.UNKNOWN);
        assertThat(PacketClassifier.classify(buf, -1, 2)).isEqualTo(PacketKind.UNKNOWN);
        assertThat(PacketClassifier.classify(null, 0, 2)).isEqualTo(PacketKind.UNKNOWN);
        assertThat(PacketClassifier.classify(buf, 0, 2)).isEqualTo(PacketKind.RTCP);
    }
}
