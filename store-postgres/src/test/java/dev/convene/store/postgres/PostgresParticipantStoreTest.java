package dev.convene.store.postgres;

import dev.convene.store.ParticipantStore;
import dev.convene.store.ParticipantStoreContract;

class PostgresParticipantStoreTest extends ParticipantStoreContract {

    @Override
    protected ParticipantStore newStore() {
        TestDatabase.truncate();
        return TestDatabase.stores().participants();
    }
}
