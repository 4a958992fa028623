package dev.convene.media.transport.dtls;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.convene.media.core.Framed;
import java.util.Arrays;

/**
 * The record check in front of BouncyCastle (RFC 6347 §4.1) and the endpoint's receive path.
 * {@code records}: the answer depends only on the datagram, a well-formed datagram splits into
 * a well-formed first record and a well-formed rest, and loses that property when cut short.
 * {@code endpoint}: a stream of fuzzed datagrams is taken or dropped, never throws, and every
 * datagram is counted exactly once (queued, malformed or queue full).
 */
class DtlsRecordsFuzzTest {

    @FuzzTest
    void records(byte[] data) {
        boolean wellFormed = Framed.check(data, DtlsRecords::isWellFormed);
        if (!wellFormed) {
            return;
        }
        assertThat(data.length).isBetween(DtlsRecords.HEADER_LENGTH, DtlsRecords.MAX_DATAGRAM_LENGTH);
        assertThat(data[0] & 0xFF).isBetween(20, 24);
        assertThat(data[1] & 0xFF).isEqualTo(0xFE);
        int first = DtlsRecords.HEADER_LENGTH + ((data[11] & 0xFF) << 8 | data[12] & 0xFF);
        assertThat(first).isBetween(DtlsRecords.HEADER_LENGTH + 1, data.length);
        assertThat(DtlsRecords.isWellFormed(data, 0, first)).as("the first record alone").isTrue();
        if (first < data.length) {
            assertThat(DtlsRecords.isWellFormed(data, first, data.length - first)).as("the records after it").isTrue();
        }
        assertThat(DtlsRecords.isWellFormed(data, 0, data.length - 1)).as("cut one byte short").isFalse();
        assertThat(DtlsRecords.isWellFormed(data, 1, data.length - 1)).as("missing its first byte").isFalse();
        if (2 * data.length <= DtlsRecords.MAX_DATAGRAM_LENGTH) {
            byte[] twice = Arrays.copyOf(data, 2 * data.length);
            System.arraycopy(data, 0, twice, data.length, data.length);
            assertThat(DtlsRecords.isWellFormed(twice, 0, twice.length)).as("two datagrams' records in one").isTrue();
        }
    }

    @FuzzTest
    void endpoint(FuzzedDataProvider data) {
        DtlsEndpoint endpoint = new DtlsEndpoint(DtlsRole.SERVER, DtlsTestPeers.SERVER_CERT, (d, o, l) -> { });
        try {
            int calls = 0;
            while (data.remainingBytes() > 0 && calls < 100) {
                byte[] datagram = data.consumeBytes(data.consumeInt(0, 300));
                int off = data.consumeInt(0, 3);
                byte[] buf = new byte[off + datagram.length + 2];
                System.arraycopy(datagram, 0, buf, off, datagram.length);
                DtlsStats before = endpoint.stats();
                boolean taken = endpoint.receive(buf, off, datagram.length);
                calls++;
                DtlsStats after = endpoint.stats();
                assertThat(taken).isEqualTo(after.datagramsReceived() == before.datagramsReceived() + 1);
                if (!DtlsRecords.isWellFormed(datagram, 0, datagram.length)) {
                    assertThat(taken).isFalse();
                    assertThat(after.malformedDropped()).isEqualTo(before.malformedDropped() + 1);
                }
                assertThat(after.datagramsReceived() + after.malformedDropped() + after.queueFullDropped())
                        .as("every datagram counted once").isEqualTo(calls);
            }
            assertThat(endpoint.stats().datagramsReceived()).as("the queue is bounded")
                    .isLessThanOrEqualTo(DtlsConfig.DEFAULT_RECEIVE_QUEUE_CAPACITY);
        } finally {
            endpoint.close();
        }
    }
}
