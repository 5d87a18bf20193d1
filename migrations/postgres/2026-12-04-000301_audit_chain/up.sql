-- the audit log becomes a hash chain (src/db/audit_chain.rs): `seq` numbers the events without
-- gaps in commit order, `hash` is the SHA-256 of the event's columns and `prev_hash`, the hash of
-- the event before. Existing events are numbered here in id order; the first start computes their
-- hashes (SQL cannot). From now on the chain assigns ids and numbers under its lock, so the id
-- no longer comes from an identity sequence.
ALTER TABLE audit_events ADD COLUMN seq BIGINT;
UPDATE audit_events SET seq = numbered.n
    FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM audit_events) AS numbered
    WHERE audit_events.id = numbered.id;
ALTER TABLE audit_events ALTER COLUMN seq SET NOT NULL;
ALTER TABLE audit_events ADD CONSTRAINT audit_events_seq_positive CHECK (seq >= 1);
-- two events can never take one place in the chain: a fork fails to commit
CREATE UNIQUE INDEX audit_events_seq ON audit_events (seq);
ALTER TABLE audit_events ADD COLUMN prev_hash TEXT;
ALTER TABLE audit_events ADD COLUMN hash TEXT;
ALTER TABLE audit_events ADD CONSTRAINT audit_events_chained
    CHECK ((prev_hash IS NULL) = (hash IS NULL));
-- the events still to be chained after the upgrade (empty afterwards)
CREATE INDEX audit_events_unchained ON audit_events (seq) WHERE hash IS NULL;
ALTER TABLE audit_events ALTER COLUMN id DROP IDENTITY;
