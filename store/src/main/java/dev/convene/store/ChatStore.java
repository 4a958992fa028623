package dev.convene.store;

import java.util.List;
import java.util.UUID;

/** Chat history per meeting. Implementations are thread-safe. */
public interface ChatStore {

    void append(ChatMessage message);

    /** The last {@code limit} messages of the meeting, oldest first. */
    List<ChatMessage> recent(UUID meetingId, int limit);
}
