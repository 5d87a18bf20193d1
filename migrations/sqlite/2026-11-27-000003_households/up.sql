-- policy versions, households (personal data encrypted, ID number keyed-hashed), kiosk sessions
CREATE TABLE policy_versions (
    version INTEGER PRIMARY KEY,
    effective_from_ms BIGINT NOT NULL,
    body TEXT NOT NULL,
    created_by_official_id BIGINT REFERENCES officials (id),
    created_at_ms BIGINT NOT NULL
);
CREATE INDEX policy_versions_effective ON policy_versions (effective_from_ms, version);
-- domain.md's defaults, in force from the beginning of time on a new database
INSERT INTO policy_versions (effective_from_ms, body, created_by_official_id, created_at_ms)
VALUES (0, '{"zone_ratio":{"1":{"1":1.0,"2":1.2,"3":1.5},"2":{"1":0.8,"2":1.0,"3":1.2},"3":{"1":0.6,"2":0.8,"3":1.0}},"relocation_reward_yuan_per_m2":300,"hold_minutes":15,"max_active_holds":1,"voucher_validity_days":365,"monetization_target_pct":60,"login_max_failures":5,"login_lockout_minutes":15}', NULL, 0);

CREATE TABLE households (
    id INTEGER PRIMARY KEY,
    name_enc TEXT NOT NULL,
    name_masked TEXT NOT NULL,
    name_hmac TEXT NOT NULL,
    id_number_enc TEXT NOT NULL,
    id_number_masked TEXT NOT NULL,
    id_number_hmac TEXT NOT NULL UNIQUE,
    phone_enc TEXT NOT NULL,
    phone_masked TEXT NOT NULL,
    expropriation_project TEXT NOT NULL,
    origin_area_centi_m2 BIGINT NOT NULL CHECK (origin_area_centi_m2 BETWEEN 100 AND 200000),
    remaining_origin_area_centi_m2 BIGINT NOT NULL
        CHECK (remaining_origin_area_centi_m2 >= 0 AND remaining_origin_area_centi_m2 <= origin_area_centi_m2),
    origin_zone INTEGER NOT NULL CHECK (origin_zone BETWEEN 1 AND 3),
    assessed_price_yuan_per_m2 BIGINT NOT NULL CHECK (assessed_price_yuan_per_m2 BETWEEN 100 AND 300000),
    signed_at_ms BIGINT NOT NULL,
    family_size INTEGER NOT NULL CHECK (family_size BETWEEN 1 AND 20),
    method TEXT NOT NULL CHECK (method IN ('hall', 'in_kind', 'cash')),
    voucher_no TEXT NOT NULL UNIQUE,
    pin_hash TEXT NOT NULL,
    login_failures INTEGER NOT NULL DEFAULT 0 CHECK (login_failures >= 0),
    locked_until_ms BIGINT,
    created_at_ms BIGINT NOT NULL,
    updated_at_ms BIGINT NOT NULL
);
CREATE INDEX households_name_hmac ON households (name_hmac);
CREATE INDEX households_method ON households (method);
CREATE INDEX households_signed_at ON households (signed_at_ms, id);

CREATE TABLE kiosk_sessions (
    id INTEGER PRIMARY KEY,
    household_id BIGINT NOT NULL REFERENCES households (id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at_ms BIGINT NOT NULL,
    last_seen_ms BIGINT NOT NULL,
    expires_at_ms BIGINT NOT NULL,
    ended_at_ms BIGINT
);
CREATE INDEX kiosk_sessions_household ON kiosk_sessions (household_id);
