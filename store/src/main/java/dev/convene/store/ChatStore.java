package dev.convene.store;

import java.util.List;
import java.util.UUID;

/** Chat history per meeting. Implementations are thread-safe. */
public interface ChatStore {

    void append(ChatMessage message);

    /** The last {@code limit} messages of the meeting, oldest first. */
    List<ChatMessage> recent(UUID meetingId, int limit);

    /** Largest page {@link #page} returns. */
    int MAX_PAGE_SIZE = 500;

    /**
     * A page of the meeting's history, oldest first: the newest {@code limit} messages before
     * {@code before} (a cursor from {@link ChatPage#olderCursor()}), or the newest ones when null.
     *
     * @throws IllegalArgumentException for a limit outside 1..{@link #MAX_PAGE_SIZE} or a malformed cursor
     */
    ChatPage page(UUID meetingId, String before, int limit);
}
