package dev.convene.store.memory;

import dev.convene.store.EventBus;
import dev.convene.store.EventBusContract;

class InMemoryEventBusTest extends EventBusContract {
    @Override
    protected EventBus newBus() {
        return new InMemoryEventBus();
    }
}
