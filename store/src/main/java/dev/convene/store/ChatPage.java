package dev.convene.store;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One page of a meeting's chat history, oldest first.
 *
 * @param messages     at most the requested number, oldest first
 * @param olderCursor  opaque cursor for the page before this one ({@code before=} of the next
 *                     request); null when there is nothing older
 */
public record ChatPage(List<ChatMessage> messages, String olderCursor) {

    public ChatPage {
        messages = List.copyOf(Objects.requireNonNull(messages, "messages"));
    }

    public Optional<String> older() {
        return Optional.ofNullable(olderCursor);
    }
}
