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
 * datagram is counted exactly once (queued, malformed or queue full). {@code transport}: the
 * bounded queue BouncyCastle reads from hands out what was offered, in order, into buffers of
 * any size, dropping (and counting) what does not fit or does not find room.
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

    @FuzzTest
    void transport(FuzzedDataProvider data) throws java.io.IOException {
        int capacity = data.consumeInt(1, 8);
        QueuedDatagramTransport transport = new QueuedDatagramTransport((d, o, l) -> { }, 1200, capacity);
        transport.startHandshakeClock(60_000);
        java.util.ArrayDeque<byte[]> model = new java.util.ArrayDeque<>();
        long refused = 0;
        long oversize = 0;
        for (int op = 0; op < 64 && data.remainingBytes() > 0; op++) {
            if (data.consumeBoolean()) {
                byte[] datagram = data.consumeBytes(data.consumeInt(0, 64));
                boolean taken = transport.offer(datagram);
                assertThat(taken).as("offer with %d of %d queued", model.size(), capacity)
                        .isEqualTo(model.size() < capacity);
                if (taken) {
                    model.add(datagram);
                } else {
                    refused++;
                }
            } else {
                int room = data.consumeInt(0, 64);
                int off = data.consumeInt(0, 3);
                byte[] buf = new byte[off + room + 5];
                java.util.Arrays.fill(buf, (byte) 0x5A);
                // Wait long only when something that fits is queued: then it is handed out at once.
                boolean fits = model.stream().anyMatch(d -> d.length <= room);
                int n = transport.receive(buf, off, room, fits ? 1_000 : 1);
                // The transport skips (and counts) queued datagrams longer than the buffer.
                byte[] expected = null;
                while (!model.isEmpty() && expected == null) {
                    byte[] head = model.poll();
                    if (head.length <= room) {
                        expected = head;
                    } else {
                        oversize++;
                    }
                }
                if (expected == null) {
                    assertThat(n).as("nothing that fits is queued").isEqualTo(-1);
                } else {
                    assertThat(n).isEqualTo(expected.length);
                    assertThat(Arrays.copyOfRange(buf, off, off + n)).isEqualTo(expected);
                }
                for (int i = 0; i < buf.length; i++) {
                    if (i < off || i >= off + Math.max(n, 0)) {
                        assertThat(buf[i]).as("byte %d outside what was received", i).isEqualTo((byte) 0x5A);
                    }
                }
            }
            assertThat(transport.queueFullDropped()).isEqualTo(refused);
            assertThat(transport.oversizeDropped()).isEqualTo(oversize);
        }
        transport.close();
        assertThat(transport.offer(new byte[1])).as("a closed transport takes nothing").isFalse();
    }
}
