package dev.convene.store.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.cluster.SlotHash;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class RedisKeysTest {

    @Test
    void aMeetingsKeysShareOneClusterSlot() {
        UUID meeting = UUID.fromString("6f1c2a9e-0b7d-4c55-9a43-2f0e8d1b7c10");
        int slot = SlotHash.getSlot(meeting.toString());
        assertThat(SlotHash.getSlot(RedisKeys.seats(meeting))).isEqualTo(slot);
        assertThat(SlotHash.getSlot(RedisKeys.meetingSfu(meeting))).isEqualTo(slot);
        assertThat(SlotHash.getSlot(RedisKeys.presence(meeting))).isEqualTo(slot);
        assertThat(SlotHash.getSlot(RedisKeys.presenceHeartbeat(meeting, "PA_1"))).isEqualTo(slot);
        assertThat(SlotHash.getSlot(RedisKeys.meetingEvents(meeting))).isEqualTo(slot);
    }

    @Test
    void keysReadAsTheDocsSay() {
        UUID meeting = UUID.fromString("6f1c2a9e-0b7d-4c55-9a43-2f0e8d1b7c10");
        assertThat(RedisKeys.seats(meeting)).isEqualTo("seats:{6f1c2a9e-0b7d-4c55-9a43-2f0e8d1b7c10}");
        assertThat(RedisKeys.meetingSfu(meeting)).isEqualTo("meeting:sfu:{6f1c2a9e-0b7d-4c55-9a43-2f0e8d1b7c10}");
        assertThat(RedisKeys.presenceHeartbeat(meeting, "PA_1")).isEqualTo("presence:{6f1c2a9e-0b7d-4c55-9a43-2f0e8d1b7c10}:PA_1");
        assertThat(RedisKeys.meetingEvents(meeting)).isEqualTo("meeting.events.{6f1c2a9e-0b7d-4c55-9a43-2f0e8d1b7c10}");
        assertThat(RedisKeys.meetingOfEventsChannel(RedisKeys.meetingEvents(meeting))).isEqualTo(meeting);
        assertThat(RedisKeys.meetingOfEventsChannel("meeting.events.{nope}")).isNull();
        assertThat(RedisKeys.sfuNode("sfu-a")).isEqualTo("sfu:node:sfu-a");
        assertThat(RedisKeys.rateLimit("join:user:u1")).isEqualTo("ratelimit:join:user:u1");
    }
}
