-- Unclaimed seats: a join takes a seat that lapses at claim_by unless the participant's socket
-- claims it (claim_by becomes NULL). holders are who asked for it (a user, a client address);
-- each may hold only a few unclaimed seats of a meeting at once. The reservation checks this
-- under the meeting's seat_guards lock, like the capacity.
ALTER TABLE seats ADD COLUMN claim_by timestamptz;
ALTER TABLE seats ADD COLUMN holders text[] NOT NULL DEFAULT '{}';
