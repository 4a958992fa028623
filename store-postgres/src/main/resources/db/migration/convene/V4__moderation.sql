-- Host moderation (ADR 0016): the meeting's rules are columns of its row, so one UPDATE with
-- coalesce() changes some of them atomically; removed users are rows of their own, keyed by
-- meeting like everything else.
--
-- Citus: SELECT create_distributed_table('meeting_removed_users', 'meeting_id', colocate_with => 'meetings');

ALTER TABLE meetings ADD COLUMN locked        boolean NOT NULL DEFAULT false;
ALTER TABLE meetings ADD COLUMN waiting_room  boolean NOT NULL DEFAULT false;
ALTER TABLE meetings ADD COLUMN self_unmute   boolean NOT NULL DEFAULT true;
-- A salted PBKDF2 hash (signaling's MeetingPasswords), never the password.
ALTER TABLE meetings ADD COLUMN password_hash text;

CREATE TABLE meeting_removed_users (
    meeting_id uuid        NOT NULL,
    user_id    text        NOT NULL,
    removed_at timestamptz NOT NULL,
    CONSTRAINT meeting_removed_users_pk PRIMARY KEY (meeting_id, user_id)
);
