package dev.convene.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import dev.convene.client.ConveneClient;
import dev.convene.client.MediaTransportClient;
import dev.convene.media.core.PacketClassifier;
import dev.convene.media.core.PacketKind;
import dev.convene.media.core.rtp.RtpPacket;
import dev.convene.media.transport.srtp.SrtpContext;
import dev.convene.media.transport.srtp.SrtpError;
import dev.convene.media.transport.stun.StunMessage;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * "Every media packet on the wire is SRTP; no plaintext RTP leaves the SFU." Two Java clients
 * capture every raw datagram the SFU sends them; afterwards each datagram in the RTP/RTCP
 * range must authenticate with a fresh SRTP/SRTCP receive context of its transport (a
 * plaintext packet cannot carry a valid HMAC or GCM tag), its encrypted bytes must differ from
 * the decrypted ones, and every other datagram must be STUN or DTLS.
 */
@Timeout(90)
class JavaClientWireTest {

    private static final int CAPTURE_LIMIT = 50_000;

    @Test
    void everyMediaDatagramFromTheSfuIsSrtp() throws InterruptedException {
        try (JavaClientFixture fixture = new JavaClientFixture()) {
            ConveneClient.Options capture = ConveneClient.Options.defaults().withCapture(CAPTURE_LIMIT);
            ConveneClient ada = fixture.join("Ada", capture);
            ConveneClient grace = fixture.join("Grace", capture);
            ada.publish();
            grace.publish();
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                for (ConveneClient[] pair : List.of(new ConveneClient[] {ada, grace}, new ConveneClient[] {grace, ada})) {
                    assertThat(pair[0].received(pair[1].participantId(), "audio").packets()).isGreaterThan(150);
                    assertThat(pair[0].received(pair[1].participantId(), "video").packets()).isGreaterThan(150);
                }
            });

            for (ConveneClient c : List.of(ada, grace)) {
                WireAudit subscriber = audit(c.subscriberTransport().orElseThrow());
                WireAudit publisher = audit(c.publisherTransport().orElseThrow());
                assertThat(subscriber.srtp).as("SRTP datagrams to %s", c.displayName()).isGreaterThan(200);
                assertThat(subscriber.stun).as("STUN answers to %s", c.displayName()).isPositive();
                assertThat(subscriber.dtls).as("DTLS datagrams to %s", c.displayName()).isPositive();
                // The publisher leg carries the SFU's feedback only: REMB every second, PLI on demand.
                assertThat(publisher.srtcp).as("SRTCP datagrams to %s's publisher leg", c.displayName()).isPositive();
                assertThat(publisher.srtp).isZero();
            }
        }
    }

    @Test
    void theAuditRejectsPlaintextRtp() throws InterruptedException {
        // The control for the test above: a plaintext packet, even with room for a tag, fails.
        try (JavaClientFixture fixture = new JavaClientFixture()) {
            ConveneClient.Options capture = ConveneClient.Options.defaults().withCapture(CAPTURE_LIMIT);
            ConveneClient ada = fixture.join("Ada", capture);
            ConveneClient grace = fixture.join("Grace", capture);
            ada.publish();
            grace.publish();
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> grace.received(ada.participantId(), "video").packets() > 10);
            MediaTransportClient sub = grace.subscriberTransport().orElseThrow();
            SrtpContext decrypt = sub.newReceiveContext().orElseThrow();
            byte[] srtp = sub.capturedDatagrams().stream()
                    .filter(d -> PacketClassifier.classify(d, 0, d.length) == PacketKind.RTP)
                    .findFirst().orElseThrow();
            int plain = decrypt.unprotectRtp(srtp, 0, srtp.length);
            assertThat(plain).isPositive();
            // The plaintext packet as a leaky SFU would send it, with the same length as the SRTP one.
            byte[] plaintextOnTheWire = Arrays.copyOf(srtp, srtp.length);
            assertThat(sub.newReceiveContext().orElseThrow().unprotectRtp(plaintextOnTheWire, 0, plaintextOnTheWire.length))
                    .isEqualTo(SrtpError.AUTH_FAILED);
        }
    }

    /** Counts of one transport's captured datagrams; fails the test on the first one that is not as required. */
    private static final class WireAudit {
        int stun;
        int dtls;
        int srtp;
        int srtcp;
    }

    private static WireAudit audit(MediaTransportClient transport) {
        SrtpContext context = transport.newReceiveContext().orElseThrow();
        List<byte[]> datagrams = transport.capturedDatagrams();
        assertThat(datagrams.size()).as("capture of %s stayed under its limit", transport.name()).isLessThan(CAPTURE_LIMIT);
        WireAudit audit = new WireAudit();
        RtpPacket rtp = new RtpPacket();
        for (int i = 0; i < datagrams.size(); i++) {
            byte[] wire = datagrams.get(i);
            byte[] copy = wire.clone();
            String where = transport.name() + " datagram #" + i + " (" + wire.length + " bytes)";
            switch (PacketClassifier.classify(wire, 0, wire.length)) {
                case STUN -> {
                    assertThat(StunMessage.parse(wire, 0, wire.length)).as("%s is STUN", where).isPresent();
                    audit.stun++;
                }
                case DTLS -> {
                    assertThat(isDtlsRecords(wire)).as("%s is whole DTLS records", where).isTrue();
                    audit.dtls++;
                }
                case RTP -> {
                    int n = context.unprotectRtp(copy, 0, copy.length);
                    if (n < 0) {
                        fail(where + " in the RTP range did not authenticate: " + SrtpError.name(n));
                    }
                    assertThat(rtp.wrap(copy, 0, n)).as("%s decrypts to RTP", where).isTrue();
                    assertThat(rtp.payloadType()).as("%s payload type", where).isIn(96, 111);
                    int from = rtp.payloadOffset();
                    assertThat(Arrays.equals(wire, from, n, copy, from, n))
                            .as("%s payload is encrypted on the wire", where).isFalse();
                    audit.srtp++;
                }
                case RTCP -> {
                    int n = context.unprotectRtcp(copy, 0, copy.length);
                    if (n < 0) {
                        fail(where + " in the RTCP range did not authenticate: " + SrtpError.name(n));
                    }
                    // The E flag tops the SRTCP index word: before the tag with AES-CM (RFC 3711 §3.4),
                    // after it with AES-GCM (RFC 7714 §9.1).
                    int indexAt = context.profile().isAead() ? wire.length - 4
                            : wire.length - 4 - context.profile().rtcpAuthTagLength();
                    assertThat(wire[indexAt] & 0x80).as("%s has the E (encrypted) flag", where).isNotZero();
                    assertThat(Arrays.equals(wire, 8, n, copy, 8, n))
                            .as("%s body is encrypted on the wire", where).isFalse();
                    audit.srtcp++;
                }
                case UNKNOWN -> fail(where + " is neither STUN, DTLS, SRTP nor SRTCP: first byte " + (wire[0] & 0xFF));
            }
        }
        return audit;
    }

    /** RFC 6347 §4.1: records of content type 20–25, version {254,253} or {254,255}, lengths that add up. */
    private static boolean isDtlsRecords(byte[] d) {
        int p = 0;
        while (p < d.length) {
            if (d.length - p < 13) {
                return false;
            }
            int type = d[p] & 0xFF;
            int major = d[p + 1] & 0xFF;
            int minor = d[p + 2] & 0xFF;
            int length = (d[p + 11] & 0xFF) << 8 | (d[p + 12] & 0xFF);
            if (type < 20 || type > 25 || major != 254 || (minor != 253 && minor != 255) || p + 13 + length > d.length) {
                return false;
            }
            p += 13 + length;
        }
        return true;
    }
}
