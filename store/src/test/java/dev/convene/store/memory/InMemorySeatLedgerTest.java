package dev.convene.store.memory;

import dev.convene.store.SeatLedger;
import dev.convene.store.SeatLedgerContract;

class InMemorySeatLedgerTest extends SeatLedgerContract {
    @Override
    protected SeatLedger newLedger() {
        return new InMemorySeatLedger();
    }
}
