-- The same table as on PostgreSQL, where audit events wait to be chained. SQLite's writers are
-- serialised already, so they chain their events inside their own transaction and leave it empty.
CREATE TABLE audit_staged (
    id INTEGER PRIMARY KEY,
    at_ms BIGINT NOT NULL,
    actor_kind TEXT NOT NULL,
    actor_id BIGINT,
    action TEXT NOT NULL,
    object_kind TEXT NOT NULL,
    object_id BIGINT,
    request_id TEXT,
    details TEXT NOT NULL
);
