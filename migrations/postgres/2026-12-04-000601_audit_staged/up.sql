-- PostgreSQL: audit events written by a transaction wait here, unchained, until a chainer moves
-- them onto the hash chain (audit_events) in one short step under the chain lock, so concurrent
-- write transactions no longer queue on that lock through their COMMIT.
CREATE TABLE audit_staged (
    id BIGSERIAL PRIMARY KEY,
    at_ms BIGINT NOT NULL,
    actor_kind TEXT NOT NULL,
    actor_id BIGINT,
    action TEXT NOT NULL,
    object_kind TEXT NOT NULL,
    object_id BIGINT,
    request_id TEXT,
    details TEXT NOT NULL
);
