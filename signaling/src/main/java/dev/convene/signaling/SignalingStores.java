package dev.convene.signaling;

import dev.convene.store.ChatStore;
import dev.convene.store.EventBus;
import dev.convene.store.MeetingScoped;
import dev.convene.store.MeetingStore;
import dev.convene.store.ParticipantStore;
import dev.convene.store.Participant;
import dev.convene.store.Presence;
import dev.convene.store.RateLimiter;
import dev.convene.store.ResumeLeases;
import dev.convene.store.SeatLedger;
import dev.convene.store.StoreUnavailableException;
import dev.convene.store.memory.InMemoryChatStore;
import dev.convene.store.memory.InMemoryEventBus;
import dev.convene.store.memory.InMemoryMeetingStore;
import dev.convene.store.memory.InMemoryParticipantStore;
import dev.convene.store.memory.InMemoryPresence;
import dev.convene.store.memory.InMemoryRateLimiter;
import dev.convene.store.memory.InMemoryResumeLeases;
import dev.convene.store.memory.InMemorySeatLedger;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/** The stores and the bus a signaling server works with. */
public record SignalingStores(
        MeetingStore meetings,
        SeatLedger seats,
        ParticipantStore participants,
        ChatStore chat,
        EventBus events,
        RateLimiter rateLimiter,
        Presence presence,
        ResumeLeases resumeLeases) {

    public SignalingStores {
        Objects.requireNonNull(meetings, "meetings");
        Objects.requireNonNull(seats, "seats");
        Objects.requireNonNull(participants, "participants");
        Objects.requireNonNull(chat, "chat");
        Objects.requireNonNull(events, "events");
        Objects.requireNonNull(rateLimiter, "rateLimiter");
        Objects.requireNonNull(presence, "presence");
        Objects.requireNonNull(resumeLeases, "resumeLeases");
    }

    /** Stores of one process for resume leases (tests, and nodes whose shared stores have none). */
    public SignalingStores(MeetingStore meetings, SeatLedger seats, ParticipantStore participants, ChatStore chat,
            EventBus events, RateLimiter rateLimiter, Presence presence) {
        this(meetings, seats, participants, chat, events, rateLimiter, presence, new InMemoryResumeLeases());
    }

    /** Fresh in-memory stores and bus, as the all-in-one role uses. */
    public static SignalingStores inMemory() {
        return inMemory(Clock.systemUTC());
    }

    /** Fresh in-memory stores whose unclaimed seats lapse on {@code seatClock} (tests drive it). */
    public static SignalingStores inMemory(Clock seatClock) {
        return new SignalingStores(new InMemoryMeetingStore(), new InMemorySeatLedger(seatClock),
                new InMemoryParticipantStore(), new InMemoryChatStore(), new InMemoryEventBus(),
                new InMemoryRateLimiter(Clock.systemUTC()), new InMemoryPresence(Clock.systemUTC()),
                new InMemoryResumeLeases(Clock.systemUTC()));
    }

    /**
     * Drops an ended meeting from the stores that keep it in this process's heap (the in-memory
     * ones). Shared stores keep their record: PostgreSQL is the history, Redis keys expire by
     * themselves.
     */
    public void forget(UUID meetingId) {
        for (Object store : List.of(meetings, seats, participants, chat, events, rateLimiter, presence)) {
            if (store instanceof MeetingScoped scoped) {
                scoped.forget(meetingId);
            }
        }
    }

    /**
     * The participants in a meeting now: recorded as joined and not left, and still present (their
     * signaling node keeps their presence alive; a node that died stops, and its participants drop
     * out of this list when their presence expires). With presence unreachable, the record alone.
     */
    public List<Participant> present(UUID meetingId) {
        List<Participant> recorded = participants.present(meetingId);
        Set<String> alive;
        try {
            alive = presence.present(meetingId);
        } catch (StoreUnavailableException e) {
            return recorded;
        }
        return recorded.stream().filter(p -> alive.contains(p.id())).toList();
    }
}
