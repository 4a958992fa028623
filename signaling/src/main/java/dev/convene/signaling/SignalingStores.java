package dev.convene.signaling;

import dev.convene.store.ChatStore;
import dev.convene.store.EventBus;
import dev.convene.store.MeetingStore;
import dev.convene.store.ParticipantStore;
import dev.convene.store.RateLimiter;
import dev.convene.store.SeatLedger;
import dev.convene.store.memory.InMemoryChatStore;
import dev.convene.store.memory.InMemoryEventBus;
import dev.convene.store.memory.InMemoryMeetingStore;
import dev.convene.store.memory.InMemoryParticipantStore;
import dev.convene.store.memory.InMemoryRateLimiter;
import dev.convene.store.memory.InMemorySeatLedger;
import java.time.Clock;
import java.util.Objects;

/** The stores and the bus a signaling server works with. */
public record SignalingStores(
        MeetingStore meetings,
        SeatLedger seats,
        ParticipantStore participants,
        ChatStore chat,
        EventBus events,
        RateLimiter rateLimiter) {

    public SignalingStores {
        Objects.requireNonNull(meetings, "meetings");
        Objects.requireNonNull(seats, "seats");
        Objects.requireNonNull(participants, "participants");
        Objects.requireNonNull(chat, "chat");
        Objects.requireNonNull(events, "events");
        Objects.requireNonNull(rateLimiter, "rateLimiter");
    }

    /** Fresh in-memory stores and bus, as the all-in-one role uses. */
    public static SignalingStores inMemory() {
        return new SignalingStores(new InMemoryMeetingStore(), new InMemorySeatLedger(),
                new InMemoryParticipantStore(), new InMemoryChatStore(), new InMemoryEventBus(),
                new InMemoryRateLimiter(Clock.systemUTC()));
    }
}
