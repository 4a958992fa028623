package dev.convene.store.postgres;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;

/** timestamptz holds microseconds; instants are cut to that before they are written or compared. */
final class Timestamps {

    private Timestamps() {}

    static Instant micros(Instant at) {
        return at.truncatedTo(ChronoUnit.MICROS);
    }

    static OffsetDateTime toDb(Instant at) {
        return at == null ? null : OffsetDateTime.ofInstant(micros(at), ZoneOffset.UTC);
    }

    static Instant fromDb(OffsetDateTime at) {
        return at == null ? null : at.toInstant();
    }
}
