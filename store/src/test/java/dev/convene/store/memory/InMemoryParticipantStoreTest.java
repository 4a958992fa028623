package dev.convene.store.memory;

import dev.convene.store.ParticipantStore;
import dev.convene.store.ParticipantStoreContract;

class InMemoryParticipantStoreTest extends ParticipantStoreContract {
    @Override
    protected ParticipantStore newStore() {
        return new InMemoryParticipantStore();
    }
}
