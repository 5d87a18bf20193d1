-- outbox of changes that affect what search lists: written in the same transaction as the
-- change; each instance's indexer applies them in seq order and records the last applied seq
-- in its own index. Exactly one of unit_id / project_id / developer_id is set.
CREATE TABLE listing_changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id BIGINT,
    project_id BIGINT,
    developer_id BIGINT,
    created_at_ms BIGINT NOT NULL,
    CHECK ((unit_id IS NOT NULL) + (project_id IS NOT NULL) + (developer_id IS NOT NULL) = 1)
);
CREATE INDEX units_status ON units (status);
