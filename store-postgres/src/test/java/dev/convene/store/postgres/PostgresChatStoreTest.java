package dev.convene.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.convene.store.ChatMessage;
import dev.convene.store.ChatPage;
import dev.convene.store.ChatStore;
import dev.convene.store.ChatStoreContract;
import dev.convene.store.StoreUnavailableException;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class PostgresChatStoreTest extends ChatStoreContract {

    private final UUID meeting = UUID.randomUUID();
    private final Instant t0 = Instant.parse("2026-11-25T10:00:00Z");

    @Override
    protected ChatStore newStore() {
        TestDatabase.truncate();
        return TestDatabase.stores().chat();
    }

    private ChatMessage message(int i) {
        return new ChatMessage("CM_" + String.format("%04d", i), meeting, "PA_1", "Ada", "message " + i, t0.plusMillis(i));
    }

    @Test
    void pagesBackwardsThroughTheWholeHistory() {
        PostgresChatStore chat = TestDatabase.stores().chat();
        List<ChatMessage> sent = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            sent.add(message(i));
            chat.append(message(i));
        }
        // Straight after appending (partly unwritten, merged) and after the flush (all from the
        // database) the pages are the same.
        List<List<ChatMessage>> early = allPages(chat);
        assertThat(chat.flush(Duration.ofSeconds(10))).isTrue();
        List<List<ChatMessage>> late = allPages(chat);

        assertThat(late).isEqualTo(early);
        assertThat(late).extracting(List::size).containsExactly(50, 50, 20);
        List<ChatMessage> oldestFirst = new ArrayList<>();
        for (List<ChatMessage> page : late.reversed()) {
            oldestFirst.addAll(page);
        }
        assertThat(oldestFirst).isEqualTo(sent);
    }

    private List<List<ChatMessage>> allPages(PostgresChatStore chat) {
        List<List<ChatMessage>> pages = new ArrayList<>();
        String before = null;
        do {
            ChatPage page = chat.page(meeting, before, 50);
            pages.add(page.messages());
            before = page.olderCursor();
        } while (before != null);
        return pages;
    }

    @Test
    void messagesOfTheSameInstantAreOrderedById() {
        PostgresChatStore chat = TestDatabase.stores().chat();
        chat.append(new ChatMessage("CM_b", meeting, "PA_1", "Ada", "second", t0));
        chat.append(new ChatMessage("CM_a", meeting, "PA_2", "Grace", "first", t0));
        assertThat(chat.recent(meeting, 10)).extracting(ChatMessage::id).containsExactly("CM_a", "CM_b");
        chat.flush(Duration.ofSeconds(10));
        assertThat(chat.recent(meeting, 10)).extracting(ChatMessage::id).containsExactly("CM_a", "CM_b");
    }

    @Test
    void aMalformedCursorOrLimitIsRefused() {
        PostgresChatStore chat = TestDatabase.stores().chat();
        assertThatThrownBy(() -> chat.page(meeting, "not a cursor!", 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> chat.page(meeting, "MTIz", 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> chat.page(meeting, null, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> chat.page(meeting, null, PostgresChatStore.MAX_PAGE_SIZE + 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(chat.page(meeting, null, 10).messages()).isEmpty();
        assertThat(chat.page(meeting, null, 10).older()).isEmpty();
    }

    @Test
    void unwrittenMessagesAreReadBackAndWrittenWhenTheTableIsFree() throws Exception {
        PostgresChatStore chat = TestDatabase.stores().chat();
        try (Connection blocker = TestDatabase.stores().dataSource().getConnection(); Statement s = blocker.createStatement()) {
            blocker.setAutoCommit(false);
            // SHARE blocks the writer's INSERT but not reads.
            s.execute("LOCK TABLE chat_messages IN SHARE MODE");
            chat.append(message(1));
            chat.append(message(2));
            assertThat(chat.recent(meeting, 10)).containsExactly(message(1), message(2));
            assertThat(chat.backlog()).isPositive();
            blocker.rollback();
        }
        assertThat(chat.flush(Duration.ofSeconds(10))).isTrue();
        assertThat(chat.backlog()).isZero();
        assertThat(chat.recent(meeting, 10)).containsExactly(message(1), message(2));
    }

    @Test
    void aFullBufferPushesBackInsteadOfGrowing() throws Exception {
        try (PostgresStores small = PostgresStores.open(TestDatabase.config().withChatBufferCapacity(3));
                Connection blocker = TestDatabase.stores().dataSource().getConnection();
                Statement s = blocker.createStatement()) {
            blocker.setAutoCommit(false);
            s.execute("LOCK TABLE chat_messages IN SHARE MODE");
            for (int i = 0; i < 3; i++) {
                small.chat().append(message(i));
            }
            long start = System.nanoTime();
            assertThatThrownBy(() -> small.chat().append(message(3))).isInstanceOf(StoreUnavailableException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
            blocker.rollback();
            assertThat(small.chat().flush(Duration.ofSeconds(10))).isTrue();
            small.chat().append(message(3));
        }
        assertThat(TestDatabase.stores().chat().recent(meeting, 10)).extracting(ChatMessage::id)
                .containsExactly("CM_0000", "CM_0001", "CM_0002", "CM_0003");
    }

    @Test
    void closeWritesEverythingAppended() {
        List<ChatMessage> sent = new ArrayList<>();
        try (PostgresStores other = PostgresStores.open(TestDatabase.config())) {
            for (int i = 0; i < 2_000; i++) {
                sent.add(message(i));
                other.chat().append(message(i));
            }
        }
        assertThat(TestDatabase.stores().chat().recent(meeting, 5_000)).isEqualTo(sent);
        assertThatThrownBy(() -> {
            try (PostgresStores closed = PostgresStores.open(TestDatabase.config())) {
                closed.close();
                closed.chat().append(message(1));
            }
        }).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aMessageTheDatabaseRefusesDoesNotBlockTheOthers() {
        PostgresChatStore chat = TestDatabase.stores().chat();
        chat.append(message(1));
        chat.append(new ChatMessage("CM_nul", meeting, "PA_1", "Ada", "nul \u0000 byte", t0.plusMillis(2)));
        chat.append(message(3));
        assertThat(chat.flush(Duration.ofSeconds(10))).isTrue();
        assertThat(chat.recent(meeting, 10)).extracting(ChatMessage::id).containsExactly("CM_0001", "CM_0003");
    }
}
