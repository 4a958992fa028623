package dev.convene.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What every {@link ChatStore} must do; each implementation's test extends this. */
public abstract class ChatStoreContract {

    protected abstract ChatStore newStore();

    private ChatStore store;
    private final UUID meeting = UUID.randomUUID();
    private final Instant t0 = Instant.parse("2026-11-25T10:00:00Z");

    @BeforeEach
    void setUp() {
        store = newStore();
    }

    private ChatMessage message(int i) {
        return new ChatMessage("CM_" + i, meeting, "PA_1", "Ada", "message " + i, t0.plusSeconds(i));
    }

    @Test
    void recentReturnsTheLastMessagesOldestFirst() {
        for (int i = 0; i < 10; i++) {
            store.append(message(i));
        }
        assertThat(store.recent(meeting, 3)).extracting(ChatMessage::id).containsExactly("CM_7", "CM_8", "CM_9");
        assertThat(store.recent(meeting, 50)).hasSize(10).first().isEqualTo(message(0));
    }

    @Test
    void recentOfAnUnknownMeetingIsEmpty() {
        store.append(message(1));
        assertThat(store.recent(UUID.randomUUID(), 50)).isEmpty();
        assertThat(store.recent(meeting, 0)).isEmpty();
    }

    @Test
    void pagesWalkTheWholeHistoryNewestPageFirst() {
        List<ChatMessage> sent = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            sent.add(message(i));
            store.append(message(i));
        }
        List<List<ChatMessage>> pages = new ArrayList<>();
        String before = null;
        do {
            ChatPage page = store.page(meeting, before, 50);
            pages.add(page.messages());
            before = page.olderCursor();
        } while (before != null && pages.size() < 10);

        assertThat(pages).extracting(List::size).containsExactly(50, 50, 20);
        List<ChatMessage> oldestFirst = new ArrayList<>();
        for (List<ChatMessage> page : pages.reversed()) {
            oldestFirst.addAll(page);
        }
        assertThat(oldestFirst).isEqualTo(sent);
    }

    @Test
    void pagingRefusesMalformedCursorsAndLimits() {
        assertThatThrownBy(() -> store.page(meeting, "not a cursor!", 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.page(meeting, null, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.page(meeting, null, ChatStore.MAX_PAGE_SIZE + 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(store.page(UUID.randomUUID(), null, 10).messages()).isEmpty();
        assertThat(store.page(UUID.randomUUID(), null, 10).older()).isEmpty();
    }
}
