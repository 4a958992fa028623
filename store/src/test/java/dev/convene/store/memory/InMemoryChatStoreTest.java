package dev.convene.store.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.convene.store.ChatMessage;
import dev.convene.store.ChatStore;
import dev.convene.store.ChatStoreContract;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class InMemoryChatStoreTest extends ChatStoreContract {
    @Override
    protected ChatStore newStore() {
        return new InMemoryChatStore();
    }

    @Test
    void keepsOnlyTheConfiguredNumberOfMessagesPerMeeting() {
        InMemoryChatStore store = new InMemoryChatStore(3);
        UUID meeting = UUID.randomUUID();
        for (int i = 0; i < 5; i++) {
            store.append(new ChatMessage("CM_" + i, meeting, "PA_1", "Ada", "m" + i, Instant.EPOCH.plusSeconds(i)));
        }
        assertThat(store.recent(meeting, 10)).extracting(ChatMessage::id).containsExactly("CM_2", "CM_3", "CM_4");
    }
}
