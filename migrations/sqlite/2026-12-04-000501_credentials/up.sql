-- escalating PIN lock-outs: lock-outs since the last right PIN (each doubles the next), and the
-- wrong PINs counted within 24 hours of the first (at most ANJU_PIN_DAILY_MAX)
ALTER TABLE households ADD COLUMN login_lockouts INTEGER NOT NULL DEFAULT 0 CHECK (login_lockouts >= 0);
ALTER TABLE households ADD COLUMN pin_day_start_ms BIGINT;
ALTER TABLE households ADD COLUMN pin_day_failures INTEGER NOT NULL DEFAULT 0 CHECK (pin_day_failures >= 0);
-- an official's token can be revoked (401 at once, on every instance: tokens are looked up per
-- request) and replaced by a new one
ALTER TABLE officials ADD COLUMN revoked_at_ms BIGINT;
