-- developers' webhooks and the outbox of deliveries to them: a delivery row is written in the
-- same transaction as the hold / reservation change it reports; the delivery worker sends it
-- (signed with the developer's secret, stored encrypted because it must be used again) and
-- retries with backoff. claim_token / claimed_until_ms keep several instances from sending one
-- row at once.
CREATE TABLE developer_webhooks (
    developer_id INTEGER PRIMARY KEY REFERENCES developers (id),
    url TEXT NOT NULL,
    secret_enc TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL,
    updated_at_ms BIGINT NOT NULL
);

CREATE TABLE webhook_deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    developer_id BIGINT NOT NULL REFERENCES developers (id),
    event TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at_ms BIGINT NOT NULL,
    claim_token TEXT,
    claimed_until_ms BIGINT,
    last_attempt_at_ms BIGINT,
    last_status_code INTEGER,
    last_error TEXT,
    created_at_ms BIGINT NOT NULL,
    delivered_at_ms BIGINT
);
-- the worker's pick-up: pending rows by due time
-- (not a partial index: SQLite cannot match one to a bound status parameter)
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at_ms);
CREATE INDEX webhook_deliveries_claim ON webhook_deliveries (claim_token);
-- a developer's own list, newest first
CREATE INDEX webhook_deliveries_developer ON webhook_deliveries (developer_id, id);
