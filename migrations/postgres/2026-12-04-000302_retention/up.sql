-- the pruning job (src/jobs/pruner.rs) deletes the oldest rows first, in small batches
CREATE INDEX webhook_deliveries_created ON webhook_deliveries (created_at_ms);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at_ms);
CREATE INDEX kiosk_sessions_expires ON kiosk_sessions (expires_at_ms);
