-- the audit log becomes a hash chain (src/db/audit_chain.rs): `seq` numbers the events without
-- gaps in commit order, `hash` is the SHA-256 of the event's columns and `prev_hash`, the hash of
-- the event before. Existing events are numbered here in id order; the first start computes their
-- hashes (SQL cannot). SQLite cannot add a NOT NULL column without a default, so the table is
-- rebuilt with the new columns last (as PostgreSQL's ALTER leaves them).
CREATE TABLE audit_events_chained (
    id INTEGER PRIMARY KEY,
    at_ms BIGINT NOT NULL,
    actor_kind TEXT NOT NULL,
    actor_id BIGINT,
    action TEXT NOT NULL,
    object_kind TEXT NOT NULL,
    object_id BIGINT,
    request_id TEXT,
    details TEXT NOT NULL,
    seq BIGINT NOT NULL CHECK (seq >= 1),
    prev_hash TEXT,
    hash TEXT,
    CHECK ((prev_hash IS NULL) = (hash IS NULL))
);
INSERT INTO audit_events_chained
    (id, at_ms, actor_kind, actor_id, action, object_kind, object_id, request_id, details, seq)
    SELECT id, at_ms, actor_kind, actor_id, action, object_kind, object_id, request_id, details,
           row_number() OVER (ORDER BY id)
    FROM audit_events;
DROP TABLE audit_events;
ALTER TABLE audit_events_chained RENAME TO audit_events;
CREATE INDEX audit_events_at ON audit_events (at_ms);
CREATE INDEX audit_events_object ON audit_events (object_kind, object_id);
-- two events can never take one place in the chain: a fork fails to commit
CREATE UNIQUE INDEX audit_events_seq ON audit_events (seq);
-- the events still to be chained after the upgrade (empty afterwards)
CREATE INDEX audit_events_unchained ON audit_events (seq) WHERE hash IS NULL;
