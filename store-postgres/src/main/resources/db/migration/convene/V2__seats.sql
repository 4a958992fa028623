-- Seats: the PostgreSQL ledger of who holds a seat in which meeting. Redis is the fast path;
-- this is the exact fallback when Redis is down (ARCHITECTURE.md §5).
--
-- Citus: both tables distributed by meeting_id, co-located with meetings:
--   SELECT create_distributed_table('seat_guards', 'meeting_id', colocate_with => 'meetings');
--   SELECT create_distributed_table('seats', 'meeting_id', colocate_with => 'meetings');
-- A reservation touches only one meeting's rows, so it is a single-shard transaction.

-- One row per meeting that ever had a seat taken. A reservation locks it (SELECT ... FOR
-- UPDATE) before counting, so reservations of one meeting take turns, on any node. It is a
-- table of its own, not the meetings row, because the ledger is also used for meetings that
-- this database does not hold (SeatLedger takes the capacity as an argument).
CREATE TABLE seat_guards (
    meeting_id uuid NOT NULL,
    CONSTRAINT seat_guards_pk PRIMARY KEY (meeting_id)
);

CREATE TABLE seats (
    meeting_id     uuid        NOT NULL,
    participant_id text        NOT NULL,
    reserved_at    timestamptz NOT NULL,
    CONSTRAINT seats_pk PRIMARY KEY (meeting_id, participant_id)
);
