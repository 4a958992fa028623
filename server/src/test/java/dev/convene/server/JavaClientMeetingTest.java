package dev.convene.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.convene.client.ChatMessage;
import dev.convene.client.ConveneClient;
import dev.convene.client.ReceivedStream;
import dev.convene.client.RemoteTrack;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Three Java clients in one meeting of a real all-in-one server, over real UDP on loopback:
 * REST join, signaling, ICE, DTLS, SRTP, exactly as a browser would. Each publishes audio and
 * video; each must receive both kinds from both others, keyframes included; chat reaches
 * everyone; a leaver is gone from the others' view and subscriber offer within 2 s.
 */
@Timeout(90)
class JavaClientMeetingTest {

    private static final Duration MEDIA_TIMEOUT = Duration.ofSeconds(20);
    private static final List<String> KINDS = List.of("audio", "video");

    private JavaClientFixture fixture;
    private List<ConveneClient> clients;

    @BeforeEach
    void threeClientsPublish() throws InterruptedException {
        fixture = new JavaClientFixture();
        clients = List.of(fixture.join("Ada"), fixture.join("Grace"), fixture.join("Linus"));
        for (ConveneClient c : clients) {
            assertThat(c.publish()).extracting(t -> t.kind()).containsExactly("audio", "video");
        }
    }

    @AfterEach
    void close() {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void everyoneReceivesAudioAndVideoFromBothOthersWithKeyframes() {
        await().atMost(MEDIA_TIMEOUT).untilAsserted(() -> {
            for (ConveneClient receiver : clients) {
                for (ConveneClient sender : others(receiver)) {
                    for (String kind : KINDS) {
                        ReceivedStream r = receiver.received(sender.participantId(), kind);
                        assertThat(r.packets()).as("%s from %s at %s", kind, sender.displayName(), receiver.displayName())
                                .isGreaterThan(20);
                    }
                    assertThat(receiver.received(sender.participantId(), "video").keyframes())
                            .as("keyframes from %s at %s", sender.displayName(), receiver.displayName())
                            .isPositive();
                }
            }
        });
        Map<String, Long> before = packetCounts();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            Map<String, Long> now = packetCounts();
            before.forEach((key, count) -> assertThat(now.get(key)).as("still rising: %s", key).isGreaterThan(count + 10));
        });
        for (ConveneClient receiver : clients) {
            assertThat(receiver.remoteTracks().values()).extracting(RemoteTrack::participantId)
                    .containsExactlyInAnyOrderElementsOf(others(receiver).stream()
                            .flatMap(o -> KINDS.stream().map(k -> o.participantId())).toList());
            assertThat(receiver.subscriberTransport().orElseThrow().stats().unprotectFailures()).isZero();
        }
    }

    @Test
    void chatFromEachReachesTheOtherTwo() {
        for (ConveneClient sender : clients) {
            ChatMessage echo = sender.sendChat("hello from " + sender.displayName());
            assertThat(echo.participantId()).isEqualTo(sender.participantId());
        }
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            for (ConveneClient receiver : clients) {
                for (ConveneClient sender : others(receiver)) {
                    assertThat(receiver.chatMessages()).as("chat at %s", receiver.displayName())
                            .anySatisfy(m -> {
                                assertThat(m.participantId()).isEqualTo(sender.participantId());
                                assertThat(m.text()).isEqualTo("hello from " + sender.displayName());
                                assertThat(m.displayName()).isEqualTo(sender.displayName());
                            });
                }
            }
        });
    }

    @Test
    void aLeaverIsGoneFromTheOthersAndTheirSubscriberOffersWithinTwoSeconds() {
        awaitEveryoneReceivesEveryone();
        ConveneClient leaver = clients.get(2);
        List<ConveneClient> stay = clients.subList(0, 2);
        leaver.leave();
        await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> {
            for (ConveneClient c : stay) {
                assertThat(c.frames("participant-left")).as("participant-left at %s", c.displayName())
                        .anySatisfy(f -> assertThat(f.path("participant_id").asText()).isEqualTo(leaver.participantId()));
                assertThat(c.participants()).doesNotContainKey(leaver.participantId());
                assertThat(c.remoteTracks().values()).extracting(RemoteTrack::participantId)
                        .doesNotContain(leaver.participantId());
            }
        });
        // The two who stay still hear and see each other.
        Map<String, Long> before = packetCounts(stay);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            Map<String, Long> now = packetCounts(stay);
            before.forEach((key, count) -> assertThat(now.get(key)).as("still rising: %s", key).isGreaterThan(count + 10));
        });
    }

    private void awaitEveryoneReceivesEveryone() {
        await().atMost(MEDIA_TIMEOUT).untilAsserted(() -> {
            for (ConveneClient receiver : clients) {
                for (ConveneClient sender : others(receiver)) {
                    for (String kind : KINDS) {
                        assertThat(receiver.received(sender.participantId(), kind).packets()).isPositive();
                    }
                }
            }
        });
    }

    private List<ConveneClient> others(ConveneClient c) {
        return clients.stream().filter(o -> o != c).toList();
    }

    private Map<String, Long> packetCounts() {
        return packetCounts(clients);
    }

    /** Packets received, by "receiver <- sender kind", among {@code group}. */
    private static Map<String, Long> packetCounts(List<ConveneClient> group) {
        Map<String, Long> counts = new HashMap<>();
        for (ConveneClient receiver : group) {
            for (ConveneClient sender : group) {
                if (sender != receiver) {
                    for (String kind : KINDS) {
                        counts.put(receiver.displayName() + " <- " + sender.displayName() + " " + kind,
                                receiver.received(sender.participantId(), kind).packets());
                    }
                }
            }
        }
        return counts;
    }
}
