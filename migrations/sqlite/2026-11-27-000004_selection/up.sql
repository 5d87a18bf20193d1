-- selection: rounds and their order, reservations (holds → confirmed → contracted), idempotency keys
CREATE TABLE rounds (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    ordering TEXT NOT NULL CHECK (ordering IN ('signing_time', 'lottery')),
    seed_sha256 TEXT,
    seed TEXT,
    status TEXT NOT NULL CHECK (status IN ('created', 'open', 'closed')),
    ordered BOOLEAN NOT NULL,
    called_up_to INTEGER NOT NULL DEFAULT 0 CHECK (called_up_to >= 0),
    created_by_official_id BIGINT REFERENCES officials (id),
    created_at_ms BIGINT NOT NULL,
    updated_at_ms BIGINT NOT NULL,
    CHECK (ordering = 'signing_time' OR seed_sha256 IS NOT NULL)
);

CREATE TABLE round_members (
    round_id BIGINT NOT NULL REFERENCES rounds (id),
    household_id BIGINT NOT NULL REFERENCES households (id),
    position INTEGER CHECK (position >= 1),
    PRIMARY KEY (round_id, household_id),
    UNIQUE (round_id, position)
);
CREATE INDEX round_members_household ON round_members (household_id);

CREATE TABLE reservations (
    id INTEGER PRIMARY KEY,
    household_id BIGINT NOT NULL REFERENCES households (id),
    unit_id BIGINT NOT NULL REFERENCES units (id),
    round_id BIGINT REFERENCES rounds (id),
    status TEXT NOT NULL
        CHECK (status IN ('held', 'confirmed', 'contracted', 'expired', 'released', 'cancelled')),
    held_at_ms BIGINT NOT NULL,
    expires_at_ms BIGINT NOT NULL,
    confirmed_at_ms BIGINT,
    -- the confirmation's local date (Asia/Shanghai) as YYYYMMDD, for 旬/month/quarter/year figures
    confirmed_day INTEGER,
    contracted_at_ms BIGINT,
    ended_at_ms BIGINT,
    policy_version BIGINT,
    entitled_centi_m2 BIGINT,
    covered_centi_m2 BIGINT,
    origin_consumed_centi_m2 BIGINT CHECK (origin_consumed_centi_m2 >= 0),
    gov_pays_yuan BIGINT CHECK (gov_pays_yuan >= 0),
    top_up_yuan BIGINT CHECK (top_up_yuan >= 0),
    reward_yuan BIGINT CHECK (reward_yuan >= 0),
    contract_no TEXT,
    cancel_reason TEXT,
    updated_at_ms BIGINT NOT NULL,
    CHECK (status IN ('held', 'expired', 'released') OR origin_consumed_centi_m2 IS NOT NULL)
);
-- a unit has at most one active reservation (an expired hold is flipped to 'expired' before a
-- new hold of its unit is inserted, in the same transaction)
CREATE UNIQUE INDEX reservations_one_active_per_unit ON reservations (unit_id)
    WHERE status IN ('held', 'confirmed', 'contracted');
CREATE INDEX reservations_household ON reservations (household_id, status);
CREATE INDEX reservations_status_expiry ON reservations (status, expires_at_ms);
CREATE INDEX reservations_confirmed_day ON reservations (confirmed_day, status);

CREATE TABLE idempotency_keys (
    scope TEXT NOT NULL,
    idem_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status_code INTEGER NOT NULL,
    response_body TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL,
    PRIMARY KEY (scope, idem_key)
);
