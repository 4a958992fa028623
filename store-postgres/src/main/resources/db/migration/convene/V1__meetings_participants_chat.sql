-- Meetings, participants and chat history.
--
-- Sharding (docs/adr/0004, docs/scaling.md): every table is keyed so that all rows of one
-- meeting live together. Under Citus:
--   SELECT create_distributed_table('meetings', 'id');
--   SELECT create_distributed_table('participants', 'meeting_id', colocate_with => 'meetings');
--   SELECT create_distributed_table('chat_messages', 'meeting_id', colocate_with => 'meetings');
-- so each primary key and unique index contains the distribution column, and every query of
-- the stores names one meeting and is routed to a single shard group.
--
-- No foreign keys: the stores are independent (a participant or message may be recorded for a
-- meeting another store owns), and on Citus a key from participants/chat_messages to meetings
-- would be legal only because the tables are co-located. Integrity is the application's.

CREATE TABLE meetings (
    id          uuid        NOT NULL,
    host_id     text        NOT NULL,
    title       text        NOT NULL,
    capacity    integer     NOT NULL CHECK (capacity >= 1),
    status      text        NOT NULL CHECK (status IN ('ACTIVE', 'ENDED')),
    created_at  timestamptz NOT NULL,
    ended_at    timestamptz,
    -- Per-meeting settings that are not columns yet (lobby, recording, ...).
    config      jsonb       NOT NULL DEFAULT '{}'::jsonb,
    CONSTRAINT meetings_pk PRIMARY KEY (id)
);

CREATE TABLE participants (
    meeting_id   uuid        NOT NULL,
    id           text        NOT NULL,
    user_id      text        NOT NULL,
    display_name text        NOT NULL,
    joined_at    timestamptz NOT NULL,
    left_at      timestamptz,
    CONSTRAINT participants_pk PRIMARY KEY (meeting_id, id)
);

-- "Who is in the meeting now", in join order: only present rows are indexed.
CREATE INDEX participants_present ON participants (meeting_id, joined_at, id) WHERE left_at IS NULL;

CREATE TABLE chat_messages (
    meeting_id     uuid        NOT NULL,
    -- COLLATE "C": history is ordered by (sent_at, id); byte order makes that order the same
    -- in the database and in the Java process, whatever the database's locale.
    id             text        COLLATE "C" NOT NULL,
    participant_id text        NOT NULL,
    display_name   text        NOT NULL,
    text           text        NOT NULL,
    sent_at        timestamptz NOT NULL,
    CONSTRAINT chat_messages_pk PRIMARY KEY (meeting_id, id)
);

-- Recent history of one meeting and paging backwards through it: (sent_at, id) < cursor.
CREATE INDEX chat_messages_recent ON chat_messages (meeting_id, sent_at, id);
