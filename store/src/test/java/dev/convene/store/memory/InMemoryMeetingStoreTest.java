package dev.convene.store.memory;

import dev.convene.store.MeetingStore;
import dev.convene.store.MeetingStoreContract;

class InMemoryMeetingStoreTest extends MeetingStoreContract {
    @Override
    protected MeetingStore newStore() {
        return new InMemoryMeetingStore();
    }
}
