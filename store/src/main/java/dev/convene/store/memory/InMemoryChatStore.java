package dev.convene.store.memory;

import dev.convene.store.MeetingScoped;
import dev.convene.store.ChatCursor;
import dev.convene.store.ChatMessage;
import dev.convene.store.ChatPage;
import dev.convene.store.ChatStore;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Chat history per meeting, bounded: only the last {@code retainPerMeeting} messages of each
 * meeting are kept, so a chatty meeting cannot grow the heap without limit.
 */
public final class InMemoryChatStore implements ChatStore, MeetingScoped {

    public static final int DEFAULT_RETAIN_PER_MEETING = 1_000;

    private final int retainPerMeeting;
    private final ConcurrentMap<UUID, Deque<ChatMessage>> byMeeting = new ConcurrentHashMap<>();

    public InMemoryChatStore() {
        this(DEFAULT_RETAIN_PER_MEETING);
    }

    public InMemoryChatStore(int retainPerMeeting) {
        if (retainPerMeeting < 1) {
            throw new IllegalArgumentException("retainPerMeeting must be at least 1");
        }
        this.retainPerMeeting = retainPerMeeting;
    }

    @Override
    public void append(ChatMessage message) {
        Deque<ChatMessage> history = byMeeting.computeIfAbsent(message.meetingId(), id -> new ArrayDeque<>());
        synchronized (history) {
            history.addLast(message);
            while (history.size() > retainPerMeeting) {
                history.removeFirst();
            }
        }
    }

    @Override
    public List<ChatMessage> recent(UUID meetingId, int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must not be negative");
        }
        Deque<ChatMessage> history = byMeeting.get(meetingId);
        if (history == null || limit == 0) {
            return List.of();
        }
        List<ChatMessage> newestFirst = new ArrayList<>(Math.min(limit, retainPerMeeting));
        synchronized (history) {
            Iterator<ChatMessage> it = history.descendingIterator();
            while (it.hasNext() && newestFirst.size() < limit) {
                newestFirst.add(it.next());
            }
        }
        return List.copyOf(newestFirst.reversed());
    }

    @Override
    public ChatPage page(UUID meetingId, String before, int limit) {
        if (limit < 1 || limit > MAX_PAGE_SIZE) {
            throw new IllegalArgumentException("limit must be between 1 and " + MAX_PAGE_SIZE + ", was " + limit);
        }
        ChatCursor cursor = before == null ? null : ChatCursor.decode(before);
        Deque<ChatMessage> history = byMeeting.get(meetingId);
        List<ChatMessage> older = new ArrayList<>();
        if (history != null) {
            synchronized (history) {
                for (ChatMessage m : history) {
                    if (cursor == null || cursor.isAfter(m)) {
                        older.add(m);
                    }
                }
            }
        }
        older.sort(ChatCursor.ORDER);
        List<ChatMessage> page = older.subList(Math.max(0, older.size() - limit), older.size());
        String olderCursor = older.size() > limit ? ChatCursor.of(page.getFirst()).encode() : null;
        return new ChatPage(page, olderCursor);
    }

    @Override
    public void forget(UUID meetingId) {
        byMeeting.remove(meetingId);
    }

    /** Meetings held now; for tests of the heap's bounds. */
    public int meetingCount() {
        return byMeeting.size();
    }
}
