package dev.convene.sfu.room;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.convene.sfu.ParticipantListener;
import dev.convene.sfu.ParticipantSession;
import dev.convene.sfu.SfuConfig;
import dev.convene.sfu.SubscribedTrack;
import dev.convene.sfu.negotiation.HostCandidate;
import dev.convene.media.transport.stun.StunClass;
import dev.convene.media.transport.stun.StunMessage;
import dev.convene.sfu.transport.MediaHealthCheck;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Random;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A node with two media loops (ADR 0036): each loop has its own UDP and ICE-TCP ports and thread;
 * a meeting's first join places it on the loop with the fewest participants, every later join of
 * the meeting goes to the same loop, and a meeting whose room empties is placed anew.
 */
@Timeout(30)
class MediaLoopPlacementTest {

    private static final ParticipantListener QUIET = new ParticipantListener() {
        @Override
        public void onSubscriberOffer(String sdpOffer, List<SubscribedTrack> tracks) {
        }

        @Override
        public void onMediaFailed(String reason) {
        }
    };

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private LocalSfuNode sfu;

    @BeforeEach
    void start() throws Exception {
        sfu = LocalSfuNode.start(new SfuConfig("sfu-loops", new InetSocketAddress("127.0.0.1", 0), List.of(), 2_500_000,
                Duration.ofSeconds(30), 0, SfuConfig.DEFAULT_MAX_AUDIO_STREAMS, SfuConfig.DEFAULT_LAST_N, 2), meters);
    }

    @AfterEach
    void stop() {
        sfu.close();
    }

    @Test
    void eachLoopHasItsOwnPortsAndThread() {
        assertThat(sfu.mediaLoopCount()).isEqualTo(2);
        assertThat(sfu.mediaPorts()).doesNotHaveDuplicates().first().isEqualTo(sfu.mediaPort());
        assertThat(sfu.loopThreadIds()).doesNotHaveDuplicates().first().isEqualTo(sfu.loopThreadId());
        assertThat(sfu.candidates()).isEqualTo(sfu.candidates(0));
        assertThat(ports(sfu.candidates(0), "udp")).containsOnly(sfu.mediaPorts().get(0));
        assertThat(ports(sfu.candidates(1), "udp")).containsOnly(sfu.mediaPorts().get(1));
        assertThat(ports(sfu.candidates(1), "tcp")).isNotEmpty().doesNotContainAnyElementsOf(ports(sfu.candidates(0), "tcp"));
    }

    @Test
    void everyLoopsPortAnswersTheSignalingHealthProbe() throws Exception {
        // Signaling probes the node's advertised port (loop 0's); every loop answers on its own port.
        try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            probe.setSoTimeout(5_000);
            for (int port : sfu.mediaPorts()) {
                byte[] transaction = new byte[12];
                new Random().nextBytes(transaction);
                byte[] request = StunMessage.builder(StunMessage.METHOD_BINDING, StunClass.REQUEST, transaction)
                        .username(MediaHealthCheck.USERNAME).fingerprint().build();
                probe.send(new DatagramPacket(request, request.length, InetAddress.getLoopbackAddress(), port));
                byte[] buf = new byte[1500];
                DatagramPacket answer = new DatagramPacket(buf, buf.length);
                probe.receive(answer);
                assertThat(answer.getPort()).isEqualTo(port);
                StunMessage response = StunMessage.parse(buf, 0, answer.getLength()).orElseThrow();
                assertThat(response.transactionId()).isEqualTo(transaction);
            }
        }
    }

    @Test
    void aMeetingIsPlacedOnTheLeastLoadedLoopAndStaysThere() {
        ParticipantSession ada = sfu.join("meeting-a", "ada", QUIET);
        ParticipantSession bob = sfu.join("meeting-b", "bob", QUIET);
        ParticipantSession cy = sfu.join("meeting-a", "cy", QUIET);
        ParticipantSession dee = sfu.join("meeting-a", "dee", QUIET);

        assertThat(sfu.loopOf("meeting-a")).contains(0);
        assertThat(sfu.loopOf("meeting-b")).contains(1);
        assertThat(sfu.participantsPerLoop()).containsExactly(3, 1);
        assertThat(meters.get("convene.sfu.loop.participants").tag("loop", "1").gauge().value()).isEqualTo(1.0);

        // Loop 1 has fewer participants: the next meeting goes there although loop 0 came first.
        ParticipantSession eve = sfu.join("meeting-c", "eve", QUIET);
        assertThat(sfu.loopOf("meeting-c")).contains(1);
        assertThat(sfu.participantCount()).isEqualTo(5);
        assertThat(sfu.meetingIds()).containsExactly("meeting-a", "meeting-b", "meeting-c");

        // Emptied, meeting-a is forgotten and placed anew: loop 0 is now the emptier.
        ada.close();
        cy.close();
        dee.close();
        assertThat(sfu.loopOf("meeting-a")).isEqualTo(Optional.empty());
        assertThat(sfu.participantsPerLoop()).containsExactly(0, 2);
        ParticipantSession fay = sfu.join("meeting-a", "fay", QUIET);
        assertThat(sfu.loopOf("meeting-a")).contains(0);

        bob.close();
        eve.close();
        fay.close();
        assertThat(sfu.participantsPerLoop()).containsExactly(0, 0);
        assertThat(sfu.meetingIds()).isEmpty();
    }

    @Test
    void loopsNeedPortsThatExist() {
        assertThatThrownBy(() -> new SfuConfig("sfu", new InetSocketAddress("127.0.0.1", 65_535), List.of(), 2_500_000,
                Duration.ofSeconds(30), SfuConfig.TCP_DISABLED, 5, 25, 2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SfuConfig("sfu", new InetSocketAddress("127.0.0.1", 0), List.of(), 2_500_000,
                Duration.ofSeconds(30), 0, 5, 25, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    private static List<Integer> ports(List<HostCandidate> candidates, String transport) {
        return candidates.stream().filter(c -> c.transport().equalsIgnoreCase(transport)).map(HostCandidate::port).toList();
    }
}
