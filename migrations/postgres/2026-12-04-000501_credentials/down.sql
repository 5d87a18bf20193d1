ALTER TABLE officials DROP COLUMN revoked_at_ms;
ALTER TABLE households DROP COLUMN pin_day_failures;
ALTER TABLE households DROP COLUMN pin_day_start_ms;
ALTER TABLE households DROP COLUMN login_lockouts;
