package dev.convene.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.convene.client.ConveneClient;
import dev.convene.client.FakeMediaSource;
import dev.convene.client.MediaTransportClient;
import dev.convene.client.RemoteTrack;
import dev.convene.media.core.rtcp.RtcpNack;
import dev.convene.sfu.net.MediaCounters;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A subscriber's NACK that no retransmission can answer any more makes the SFU ask the
 * publisher for a key frame — the stall seen in Chromium under 5 % downlink loss, where both
 * retransmissions of a packet were lost, the SFU refused the third NACK (its per-packet cap) and
 * nothing asked for a key frame until the page's decoder gave up by itself seconds later.
 *
 * <p>Grace subscribes to Ada's video over clean loopback and sends NACKs by hand: one for a
 * number not sent yet (nothing to repair: no key frame request), then the same delivered packet
 * three times (two RTX, then the cap: a key frame request), then a packet older than the SFU's
 * one-second cache (gone: a key frame request). The per-track throttle (≤ 1 per 500 ms) is
 * respected by waiting between the cases.
 */
@Timeout(60)
class JavaClientKeyframeFallbackTest {

    /** Longer than the per-track keyframe throttle (500 ms), so each case's request can pass it. */
    private static final Duration PAST_THROTTLE = Duration.ofMillis(700);
    private static final long NACK_SENDER_SSRC = 0x5EED;

    private JavaClientFixture fixture;

    @AfterEach
    void close() {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void aNackThatCannotBeAnsweredAsksThePublisherForAKeyFrame() throws InterruptedException {
        fixture = new JavaClientFixture();
        ConveneClient ada = fixture.join("Ada");
        ConveneClient grace = fixture.join("Grace", ConveneClient.Options.defaults().withLossRecovery(false));
        ada.publish();
        await().atMost(Duration.ofSeconds(20))
                .until(() -> grace.received(ada.participantId(), "video").packets() > 30);
        FakeMediaSource source = ada.mediaSource().orElseThrow();
        MediaTransportClient graceSub = grace.subscriberTransport().orElseThrow();
        long ssrc = grace.remoteTracks().values().stream()
                .filter(t -> t.kind().equals("video") && t.participantId().equals(ada.participantId()))
                .mapToLong(RemoteTrack::ssrc).findFirst().orElseThrow();
        MediaCounters sfu = fixture.server.sfu().counters();
        Thread.sleep(PAST_THROTTLE.toMillis());

        // A number not sent yet: the SFU holds nothing for it, and a gap may still be repaired.
        int delivered = grace.received(ada.participantId(), "video").lastSequenceNumber();
        long requests = source.keyframeRequestsReceived();
        nack(graceSub, ssrc, delivered + 1000 & 0xFFFF);
        Thread.sleep(PAST_THROTTLE.toMillis());
        assertThat(source.keyframeRequestsReceived()).as("key frame requests after a NACK for a future number")
                .isEqualTo(requests);
        assertThat(sfu.rtxNotHeld.sum()).isPositive();

        // A delivered packet, NACKed as if both of its retransmissions were lost as well.
        delivered = grace.received(ada.participantId(), "video").lastSequenceNumber();
        long firstCopies = sfu.rtxFirstCopies.sum();
        long secondCopies = sfu.rtxSecondCopies.sum();
        for (int i = 0; i < 2; i++) {
            nack(graceSub, ssrc, delivered);
            // Further apart than any RTT the SFU may assume (100 ms before one is measured).
            Thread.sleep(250);
        }
        assertThat(sfu.rtxFirstCopies.sum() - firstCopies).as("first retransmissions").isEqualTo(1);
        assertThat(sfu.rtxSecondCopies.sum() - secondCopies).as("second retransmissions").isEqualTo(1);
        assertThat(source.keyframeRequestsReceived()).as("key frame requests while RTX can still repair")
                .isEqualTo(requests);
        nack(graceSub, ssrc, delivered);
        long capped = requests;
        await("a key frame request after the capped NACK").atMost(Duration.ofSeconds(2))
                .until(() -> source.keyframeRequestsReceived() > capped);
        assertThat(sfu.rtxPerPacketCap.sum()).isPositive();
        assertThat(sfu.rtxLaterCopies.sum()).as("third and later copies").isZero();

        // A packet older than the retransmission cache keeps (1 s).
        int old = grace.received(ada.participantId(), "video").lastSequenceNumber();
        Thread.sleep(1_300);
        long beforeGone = source.keyframeRequestsReceived();
        nack(graceSub, ssrc, old);
        await("a key frame request after a NACK for a packet gone from the cache").atMost(Duration.ofSeconds(2))
                .until(() -> source.keyframeRequestsReceived() > beforeGone);
        assertThat(sfu.rtxGone.sum()).isPositive();
        assertThat(sfu.unrepairableGapsDownstream.sum()).isEqualTo(2);
    }

    private static void nack(MediaTransportClient transport, long mediaSsrc, int sequenceNumber) {
        int[] seqs = {sequenceNumber};
        byte[] packet = new byte[RtcpNack.length(seqs, 1)];
        RtcpNack.write(packet, 0, NACK_SENDER_SSRC, mediaSsrc, seqs, 1);
        assertThat(transport.sendRtcp(packet, 0, packet.length)).as("NACK sent").isTrue();
    }
}
