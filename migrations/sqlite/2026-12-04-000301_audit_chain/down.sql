CREATE TABLE audit_events_plain (
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
INSERT INTO audit_events_plain
    SELECT id, at_ms, actor_kind, actor_id, action, object_kind, object_id, request_id, details
    FROM audit_events;
DROP TABLE audit_events;
ALTER TABLE audit_events_plain RENAME TO audit_events;
CREATE INDEX audit_events_at ON audit_events (at_ms);
CREATE INDEX audit_events_object ON audit_events (object_kind, object_id);
