DROP INDEX kiosk_sessions_expires;
DROP INDEX idempotency_keys_created;
DROP INDEX webhook_deliveries_created;
