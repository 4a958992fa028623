package dev.convene.store.memory;

import dev.convene.store.SfuRegistry;
import dev.convene.store.SfuRegistryContract;
import java.time.Duration;

class InMemorySfuRegistryTest extends SfuRegistryContract {
    @Override
    protected SfuRegistry newRegistry(Duration deadAfter) {
        return new InMemorySfuRegistry(deadAfter);
    }
}
